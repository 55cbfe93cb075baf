"""Stop words per language: words too common to find anything, left out of the index and of queries.

English is lunr.js's list (what the site's search dropped before); German, French and Spanish are
the Snowball project's lists (snowballstem.org, BSD licence), cut to the words that are not also
ordinary content words in a customer-service record.  Chinese text is indexed by characters and
pairs of characters, with no stop words; Latin-script words in a Chinese logbook use the English list.
"""

from __future__ import annotations

_EN = """a able about across after all almost also am among an and any are as at be because been but by
can cannot could dear did do does either else ever every for from get got had has have he her hers him
his how however i if in into is it its just least let like likely may me might most must my neither no
nor not of off often on only or other our own rather said say says she should since so some than that
the their them then there these they this tis to too twas us wants was we were what when where which
while who whom why will with would yet you your"""

_DE = """aber alle allem allen aller alles als also am an ander andere anderem anderen anderer anderes
anderm andern anders auch auf aus bei bin bis bist da damit dann der den des dem die das dass daß
derselbe derselben denselben desselben demselben dieselbe dieselben dasselbe dazu dein deine deinem
deinen deiner deines denn derer dessen dich dir du dies diese diesem diesen dieser dieses doch dort
durch ein eine einem einen einer eines einig einige einigem einigen einiger einiges einmal er ihn ihm
es etwas euer eure eurem euren eurer eures für gegen gewesen hab habe haben hat hatte hatten hier hin
hinter ich mich mir ihr ihre ihrem ihren ihrer ihres euch im in indem ins ist jede jedem jeden jeder
jedes jene jenem jenen jener jenes jetzt kann kein keine keinem keinen keiner keines können könnte
machen man manche manchem manchen mancher manches mein meine meinem meinen meiner meines mit muss
musste nach nicht nichts noch nun nur ob oder ohne sehr sein seine seinem seinen seiner seines selbst
sich sie ihnen sind so solche solchem solchen solcher solches soll sollte sondern sonst über um und
uns unsere unserem unseren unser unseres unter viel vom von vor während war waren warst was weg weil
weiter welche welchem welchen welcher welches wenn werde werden wie wieder will wir wird wirst wo
wollen wollte würde würden zu zum zur zwar zwischen"""

_FR = """au aux avec ce ces dans de des du elle en et eux il ils je la le les leur lui ma mais me même
mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un
une vos votre vous c d j l à m n s t y été étée étées étés étant étante étants étantes suis es est
sommes êtes sont serai seras sera serons serez seront serais serait serions seriez seraient étais
était étions étiez étaient fus fut fûmes fûtes furent sois soit soyons soyez soient fusse fusses fût
fussions fussiez fussent ayant ayante ayantes ayants eu eue eues eus ai as avons avez ont aurai auras
aura aurons aurez auront aurais aurait aurions auriez auraient avais avait avions aviez avaient eut
eûmes eûtes eurent aie aies ait ayons ayez aient eusse eusses eût eussions eussiez eussent"""

_ES = """de la que el en y a los del se las por un para con no una su al lo como más pero sus le ya o
este sí porque esta entre cuando muy sin sobre también me hasta hay donde quien desde todo nos
durante todos uno les ni contra otros ese eso ante ellos e esto mí antes algunos qué unos yo otro
otras otra él tanto esa estos mucho quienes nada muchos cual poco ella estar estas algunas algo
nosotros mi mis tú te ti tu tus ellas nosotras vosotros vosotras os mío mía míos mías tuyo tuya tuyos
tuyas suyo suya suyos suyas nuestro nuestra nuestros nuestras vuestro vuestra vuestros vuestras esos
esas estoy estás está estamos estáis están esté estés estemos estéis estén estaba estabas estábamos
estaban estuve estuvo he has ha hemos habéis han haya hayas hayamos hayan había habías habíamos
habían hube hubo soy eres es somos sois son sea seas seamos sean era eras éramos eran fui fue fuimos
fueron tengo tienes tiene tenemos tenéis tienen tenía tenían tuve tuvo"""

STOP_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(_EN.split()),
    "de": frozenset(_DE.split()),
    "fr": frozenset(_FR.split()),
    "es": frozenset(_ES.split()),
    "zh-Hans": frozenset(_EN.split()),
}
