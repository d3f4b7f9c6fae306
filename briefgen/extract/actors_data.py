"""Small generic word lists for resolving actors: titles, designators, a compact gazetteer.

Nothing here names a particular article's people or companies: the lists hold the
closed-class words that signal what kind of thing a name is (a title before a person,
a designator inside an organisation's name) and the world's countries, capitals and
regions, which a statistical tagger too often labels as people.
"""

from __future__ import annotations

import re


def words(text: str) -> frozenset[str]:
    """A set from a ``|``-separated list, lower-cased."""
    return frozenset(w.strip().lower() for w in text.split("|") if w.strip())


HONORIFICS = words(
    "mr|mr.|mrs|mrs.|ms|ms.|miss|dr|dr.|sir|dame|lord|lady|prof|prof.|rev|rev.|sen.|rep.|gov.|gen.|col.|lt.|"
    "capt.|sgt.|mme|mme.|messrs|messrs.|madame|monsieur|herr|frau|sheikh|imam|rabbi|ayatollah|pope|saint|st."
)

# Nouns that name a person's office or occupation; multiword ones are matched token by token.
TITLES = words(
    "president|vice-president|president-elect|premier|chancellor|minister|secretary|spokesman|spokeswoman|"
    "spokesperson|king|queen|prince|princess|emperor|senator|congressman|congresswoman|representative|"
    "governor|mayor|ambassador|envoy|aide|adviser|advisor|chief|ceo|cfo|coo|cto|chairman|chairwoman|chair|"
    "director|executive|founder|co-founder|analyst|economist|strategist|general|colonel|lieutenant|captain|"
    "commander|admiral|officer|judge|justice|attorney|lawyer|prosecutor|leader|head|cardinal|bishop|"
    "archbishop|reverend|emir|sultan|professor|coach|manager|official|correspondent|reporter|editor|"
    "candidate|nominee|lawmaker|legislator|deputy|commissioner|inspector|detective|sergeant|treasurer|dean|"
    "rector|owner|partner|investor|banker|trader|researcher|scientist|doctor|nurse|negotiator|mediator|"
    "diplomat|dictator|monarch|ruler|boss|speaker|whip|veteran|activist|campaigner|chieftain|commentator|columnist|"
    "pilot|astronaut|actor|actress|singer|player|striker|captain|athlete|author|writer|artist|"
    "designer|engineer|architect|physician|surgeon|governor-general|vice|regent|consul|attaché|delegate"
)

# Modifiers that may stand inside a title ("prime minister", "press secretary") but are not titles alone.
TITLE_MODIFIERS = words("prime|foreign|defence|defense|interior|finance|press|vice|attorney|deputy|acting|former")

ORG_DESIGNATORS = words(
    "inc|inc.|incorporated|corp|corp.|corporation|co|co.|company|companies|ltd|ltd.|limited|llc|l.l.c.|plc|"
    "gmbh|ag|sa|s.a.|spa|s.p.a.|nv|n.v.|bv|ab|oyj|asa|pty|group|holdings|holding|partners|associates|airlines|"
    "airways|airline|motors|motor|bank|bancorp|ministry|department|agency|office|council|commission|committee|"
    "court|courts|senate|parliament|congress|assembly|duma|university|college|institute|school|academy|"
    "party|union|association|federation|foundation|organisation|organization|society|league|club|fund|trust|"
    "authority|board|bureau|service|services|force|forces|army|navy|guard|police|times|post|news|journal|"
    "herald|tribune|gazette|network|networks|broadcasting|television|radio|reserve|exchange|treasury|"
    "administration|workers|labs|laboratories|systems|technologies|industries|enterprises|communications|"
    "pharmaceuticals|petroleum|electric|insurance|securities|capital|investments|ventures|media|press|"
    "brigade|battalion|regiment|corps|command|secretariat|cabinet|tribunal|alliance|coalition|movement|"
    "church|mission|hospital|clinic|studios|records|entertainment|fc|f.c.|nations|"
    "commonwealth|politburo|junta"
)

# Last words of names of events, which are not actors.
EVENT_HEADS = words(
    "conference|summit|show|expo|exhibition|fair|festival|games|olympics|championship|championships|"
    "tournament|awards|prix|marathon|war|crisis|attacks|election|elections|referendum|convention|"
    "ceremony|keynote|week|day|cup|series|rally"
)

# Last words of names of places and buildings.
PLACE_HEADS = words(
    "airport|square|street|avenue|road|river|mountain|mountains|island|islands|bay|sea|ocean|lake|valley|"
    "county|province|region|district|city|town|village|peninsula|gulf|strait|desert|coast|canal|bridge|"
    "stadium|arena|park|hall|palace|tower|centre|center|station|harbour|harbor|port|terminal|building|"
    "oblast|prefecture|heights|hills|plain|basin|delta|cape"
)

# Heads of appositions or premodifiers that say the name is an organisation.
ORG_NOUNS = words(
    "company|firm|maker|manufacturer|automaker|carmaker|airline|carrier|airframer|bank|lender|insurer|"
    "group|agency|retailer|giant|conglomerate|broker|operator|network|newspaper|broadcaster|label|studio|"
    "startup|developer|publisher|supplier|producer|chain|brand|corporation|organisation|organization|"
    "party|union|team|club|ministry|government|regulator|watchdog|court|university|charity|outlet|"
    "wire|subsidiary|rival|competitor|partner|club|militia|army|exchange|fund|institute|association"
)

# Heads that say a name is a product or a financial index rather than an actor.
PRODUCT_NOUNS = words(
    "version|model|models|device|devices|phone|phones|smartphone|handset|computer|computers|laptop|laptops|"
    "notebook|tablet|console|software|app|application|browser|player|players|aircraft|airliner|jet|jets|"
    "plane|planes|engine|engines|car|cars|vehicle|vehicles|sedan|truck|drug|vaccine|product|products|"
    "line|range|suite|operating|gadget|processor|processors|chip|chips"
)
INDEX_NOUNS = words("index|indices|indexes|average|composite|benchmark")
PRODUCT_VERBS = words("unveil|launch|introduce|release|debut|ship|preview|showcase|demo|demonstrate|announce")

# Verbs whose subject is very likely a person (speech and thought).
SPEECH_VERBS = words(
    "say|tell|add|ask|insist|warn|argue|explain|describe|note|deny|admit|urge|vow|promise|predict|recall|"
    "acknowledge|suggest|comment|speak|write|reply|respond|answer|declare|claim|state|announce|call"
)
COGNITION_VERBS = words(
    "hope|doubt|believe|think|want|feel|fear|know|wish|expect|wonder|worry|decide|refuse|meet|visit|resign|"
    "die|marry|smile|laugh"
)

NEWS_AGENCIES = words(
    "reuters|associated press|ap|afp|agence france-presse|bloomberg|xinhua|tass|itar-tass|interfax|"
    "ria novosti|kyodo|yonhap|ansa|dpa|efe|pap|upi|pti|ians|cnn|bbc|nhk|al jazeera|sky news|"
    "anadolu|wafa|irna|sana|ukrinform|unian|bernama|antara|mena|apa|ctk|tanjug|hina|bta|lusa|sapa"
)

TIME_ZONES = words(
    "utc|gmt|est|edt|cst|cdt|mst|mdt|pst|pdt|cet|cest|bst|ist|jst|kst|aest|aedt|hkt|sgt|msk|eet|eest|wet|"
    "west|akst|hst|ast|nzst|nzdt|pht|wib|ict"
)
CURRENCY_CODES = words(
    "usd|eur|gbp|jpy|cny|rmb|chf|cad|aud|nzd|hkd|sgd|inr|rub|krw|brl|mxn|zar|sek|nok|dkk|pln|try|uah|"
    "czk|huf|ils|aed|sar|thb|myr|idr|php|twd|ngn|egp|ars|clp|cop|pen|vnd|pkr"
)

COUNTRIES = words(
    "afghanistan|albania|algeria|andorra|angola|antigua and barbuda|argentina|armenia|australia|austria|"
    "azerbaijan|bahamas|bahrain|bangladesh|barbados|belarus|belgium|belize|benin|bhutan|bolivia|"
    "bosnia|bosnia and herzegovina|botswana|brazil|brunei|bulgaria|burkina faso|burundi|cambodia|cameroon|"
    "canada|cape verde|central african republic|chad|chile|china|colombia|comoros|congo|costa rica|"
    "croatia|cuba|cyprus|czech republic|czechia|denmark|djibouti|dominica|dominican republic|ecuador|egypt|"
    "el salvador|equatorial guinea|eritrea|estonia|eswatini|ethiopia|fiji|finland|france|gabon|gambia|"
    "georgia|germany|ghana|greece|grenada|guatemala|guinea|guinea-bissau|guyana|haiti|honduras|hungary|"
    "iceland|india|indonesia|iran|iraq|ireland|israel|italy|ivory coast|jamaica|japan|jordan|kazakhstan|"
    "kenya|kiribati|kosovo|kuwait|kyrgyzstan|laos|latvia|lebanon|lesotho|liberia|libya|liechtenstein|"
    "lithuania|luxembourg|madagascar|malawi|malaysia|maldives|mali|malta|mauritania|mauritius|mexico|"
    "micronesia|moldova|monaco|mongolia|montenegro|morocco|mozambique|myanmar|burma|namibia|nauru|nepal|"
    "netherlands|holland|new zealand|nicaragua|niger|nigeria|north korea|north macedonia|macedonia|norway|"
    "oman|pakistan|palau|palestine|panama|papua new guinea|paraguay|peru|philippines|poland|portugal|qatar|"
    "romania|russia|rwanda|samoa|san marino|saudi arabia|senegal|serbia|seychelles|sierra leone|singapore|"
    "slovakia|slovenia|somalia|south africa|south korea|korea|south sudan|spain|sri lanka|sudan|suriname|"
    "sweden|switzerland|syria|taiwan|tajikistan|tanzania|thailand|timor-leste|east timor|togo|tonga|"
    "trinidad and tobago|tunisia|turkey|türkiye|turkmenistan|tuvalu|uganda|ukraine|united arab emirates|uae|"
    "united kingdom|uk|u.k.|britain|great britain|england|scotland|wales|northern ireland|united states|"
    "united states of america|us|u.s.|usa|u.s.a.|america|uruguay|uzbekistan|vanuatu|vatican|venezuela|"
    "vietnam|yemen|zambia|zimbabwe|gaza|west bank|crimea|donbas|hong kong|macau|greenland|puerto rico|"
    "people's republic of china|soviet union|ussr"
)

CITIES = words(
    "kabul|tirana|algiers|luanda|buenos aires|yerevan|canberra|vienna|baku|nassau|manama|dhaka|minsk|"
    "brussels|porto-novo|thimphu|sarajevo|gaborone|brasilia|brasília|sofia|ouagadougou|phnom penh|yaounde|"
    "ottawa|santiago|beijing|bogota|bogotá|kinshasa|zagreb|havana|nicosia|prague|copenhagen|cairo|"
    "tallinn|addis ababa|helsinki|paris|tbilisi|berlin|accra|athens|budapest|reykjavik|new delhi|delhi|"
    "jakarta|tehran|baghdad|dublin|jerusalem|tel aviv|rome|tokyo|amman|astana|nairobi|pristina|kuwait city|"
    "bishkek|vientiane|riga|beirut|tripoli|vilnius|antananarivo|kuala lumpur|bamako|valletta|mexico city|"
    "chisinau|ulaanbaatar|podgorica|rabat|maputo|naypyidaw|yangon|windhoek|kathmandu|amsterdam|the hague|"
    "wellington|managua|niamey|abuja|lagos|pyongyang|skopje|oslo|muscat|islamabad|karachi|lahore|panama city|"
    "asuncion|lima|manila|warsaw|lisbon|doha|bucharest|moscow|kigali|riyadh|dakar|belgrade|freetown|"
    "bratislava|ljubljana|mogadishu|pretoria|johannesburg|cape town|seoul|juba|madrid|barcelona|colombo|"
    "khartoum|stockholm|bern|geneva|zurich|damascus|taipei|dushanbe|dodoma|bangkok|lome|tunis|ankara|"
    "istanbul|ashgabat|kampala|kyiv|kiev|kharkiv|odesa|odessa|lviv|mariupol|abu dhabi|dubai|london|"
    "manchester|edinburgh|washington|new york|new york city|los angeles|chicago|san francisco|boston|"
    "houston|miami|seattle|atlanta|detroit|philadelphia|dallas|denver|las vegas|montevideo|tashkent|"
    "caracas|hanoi|ho chi minh city|sanaa|lusaka|harare|shanghai|hong kong|shenzhen|guangzhou|mumbai|"
    "bangalore|kolkata|chennai|osaka|sydney|melbourne|toronto|montreal|vancouver|frankfurt|munich|hamburg|"
    "milan|naples|venice|lyon|marseille|toulouse|nice|strasbourg|st petersburg|st. petersburg|"
    "saint petersburg|vladivostok|minsk|brussels|luxembourg|monaco|singapore|kuwait|gaza city|ramallah|"
    "beirut|aleppo|mosul|basra|kandahar|sochi|anchorage|helsinki|davos|brussels|rotterdam|antwerp"
)

REGIONS = words(
    "europe|asia|africa|north america|south america|latin america|central america|oceania|antarctica|"
    "arctic|middle east|near east|far east|east asia|southeast asia|south asia|central asia|western europe|"
    "eastern europe|central europe|scandinavia|balkans|caucasus|baltics|sahel|the west|eurasia|siberia|"
    "alabama|alaska|arizona|arkansas|california|colorado|connecticut|delaware|florida|hawaii|idaho|"
    "illinois|indiana|iowa|kansas|kentucky|louisiana|maine|maryland|massachusetts|michigan|minnesota|"
    "mississippi|missouri|montana|nebraska|nevada|new hampshire|new jersey|new mexico|north carolina|"
    "north dakota|ohio|oklahoma|oregon|pennsylvania|rhode island|south carolina|south dakota|tennessee|"
    "texas|utah|vermont|virginia|west virginia|wisconsin|wyoming|ontario|quebec|british columbia|alberta|"
    "bavaria|catalonia|kashmir|tibet|xinjiang|chechnya|kurdistan|donetsk|luhansk|kursk|belgorod|"
    "pacific|atlantic|mediterranean|black sea|baltic sea|red sea|persian gulf"
)

PLACES = COUNTRIES | CITIES | REGIONS

DEMONYMS = words(
    "american|british|english|french|german|italian|spanish|russian|ukrainian|chinese|japanese|korean|"
    "indian|pakistani|iranian|iraqi|israeli|palestinian|syrian|turkish|egyptian|saudi|canadian|mexican|"
    "brazilian|argentine|australian|irish|scottish|welsh|dutch|belgian|swiss|austrian|polish|czech|"
    "hungarian|romanian|bulgarian|greek|serbian|croatian|swedish|norwegian|danish|finnish|belarusian|"
    "georgian|armenian|afghan|african|asian|european|arab|western|eastern|nordic|baltic|singaporean|"
    "vietnamese|thai|indonesian|filipino|malaysian|nigerian|kenyan|ethiopian|lebanese|jordanian|qatari|"
    "emirati|yemeni|libyan|tunisian|moroccan|algerian|cuban|venezuelan|colombian|chilean|peruvian|"
    "portuguese|icelandic|estonian|latvian|lithuanian|slovak|slovenian|kazakh|uzbek|mongolian|taiwanese|"
    "soviet|latin|catalan|kurdish|victorian|texan|californian|londoner|muscovite|singaporeans|americans|"
    "europeans|russians|ukrainians|chinese|israelis|palestinians|democrat|democrats|republican|"
    "republicans|christian|muslim|jewish|catholic|protestant|sunni|shia|shiite|hindu|buddhist"
)

# Place names written several ways; each maps to one key.
PLACE_ALIASES = {
    "us": "united states",
    "u.s.": "united states",
    "usa": "united states",
    "u.s.a.": "united states",
    "united states of america": "united states",
    "america": "united states",
    "uk": "united kingdom",
    "u.k.": "united kingdom",
    "britain": "united kingdom",
    "great britain": "united kingdom",
    "kiev": "kyiv",
    "burma": "myanmar",
    "holland": "netherlands",
    "czechia": "czech republic",
    "türkiye": "turkey",
}

# Words that never start or end a name even when capitalised (sentence-initially, in headlines).
FUNCTION_WORDS = words(
    "the|a|an|and|or|but|of|in|on|at|to|for|by|with|from|as|that|this|these|those|it|its|his|her|their|"
    "our|my|your|first|last|former|next|after|before|while|when|if|then|also|said|says"
)

# Lower-case-initial brand names ("iPod", "eBook") name products, not companies.
CAMEL_PRODUCT = re.compile(r"^[a-z]{1,2}[A-Z]")

PERSON_PRONOUNS = words("he|him|his|himself|she|her|hers|herself")
ORG_PRONOUNS = words("its")
