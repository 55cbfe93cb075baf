window.logbookSearchManifest = {"documents": 2, "shards": 1};
