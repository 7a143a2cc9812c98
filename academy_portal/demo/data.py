"""Demo data lists: forums, editions, partners, expertise areas and name pools.

Every institution, person and address here is fictional; domains use the reserved
".example" top-level domain so no demo email can reach a real mailbox.
"""

from partners.models import AcademyUnit

# --- Expertise areas -------------------------------------------------------------------------

EXPERTISE_AREAS = [
    "Maritime security",
    "Law of the sea (UNCLOS)",
    "Territorial and maritime disputes",
    "Mekong water resources",
    "China studies",
    "ASEAN and regional architecture",
    "Climate change and sea-level rise",
    "Energy and offshore resources",
    "Fisheries and marine environment",
    "Blue economy",
    "Great-power relations",
    "Diplomatic history",
    "Indo-Pacific strategy",
]

# Other names of each area, English and Vietnamese, one a line: what a coordinator types.
EXPERTISE_ALIASES = {
    "Maritime security": "maritime safety\nnaval security\nan ninh biển\nan ninh hàng hải",
    "Law of the sea (UNCLOS)": (
        "UNCLOS\nlaw of the sea\nmaritime law\ninternational law of the sea\n"
        "luật biển\nluật quốc tế về biển\nCông ước Luật Biển 1982"
    ),
    "Territorial and maritime disputes": (
        "South China Sea disputes\nsovereignty disputes\nEast Sea\n"
        "tranh chấp lãnh thổ\ntranh chấp biển\nBiển Đông"
    ),
    "Mekong water resources": "Mekong\ntransboundary water\nsông Mê Công\ntài nguyên nước",
    "China studies": "Sinology\nChinese foreign policy\nTrung Quốc học\nnghiên cứu Trung Quốc",
    "ASEAN and regional architecture": (
        "ASEAN\nregionalism\nEast Asia Summit\nHiệp hội các quốc gia Đông Nam Á\nkiến trúc khu vực"
    ),
    "Climate change and sea-level rise": (
        "climate change\nsea-level rise\nbiến đổi khí hậu\nnước biển dâng"
    ),
    "Energy and offshore resources": (
        "offshore oil and gas\nenergy security\nnăng lượng\ndầu khí ngoài khơi"
    ),
    "Fisheries and marine environment": (
        "fisheries\nIUU fishing\nmarine environment\nnghề cá\nmôi trường biển"
    ),
    "Blue economy": "ocean economy\nkinh tế biển\nkinh tế xanh lam",
    "Great-power relations": "great powers\nUS-China relations\nquan hệ nước lớn",
    "Diplomatic history": "history of diplomacy\nlịch sử ngoại giao",
    "Indo-Pacific strategy": "Indo-Pacific\nFOIP\nẤn Độ Dương - Thái Bình Dương",
}

# --- Forums and editions --------------------------------------------------------------------

EAST_SEA = "east-sea-conference"
OCEAN_DIALOGUE = "ocean-dialogue"
MEKONG_FORUM = "mekong-forum"
SINOLOGY = "sinology-symposium"

FORUMS = [
    {
        "slug": EAST_SEA,
        "name": "International Conference on the South China Sea",
        "name_vi": "Hội thảo Quốc tế về Biển Đông",
        "short_name": "East Sea Conference",
        "short_name_vi": "Hội thảo Biển Đông",
        "organising_unit": AcademyUnit.EAST_SEA,
        "track": "track_2",
        "description": (
            "The academy's flagship Track 2 conference, organised every year since 2009 by the "
            "East Sea Institute. Scholars, officials in a private capacity and practitioners from "
            "around the world discuss maritime security, international law and cooperation in "
            "the South China Sea (East Sea)."
        ),
    },
    {
        "slug": OCEAN_DIALOGUE,
        "name": "Ocean Dialogue",
        "name_vi": "Đối thoại Biển",
        "short_name": "Ocean Dialogue",
        "short_name_vi": "Đối thoại Biển",
        "organising_unit": AcademyUnit.EAST_SEA,
        "track": "track_2",
        "description": (
            "A smaller expert dialogue on ocean governance: the law of the sea, climate change "
            "and sea-level rise, marine environment and the blue economy."
        ),
    },
    {
        "slug": MEKONG_FORUM,
        "name": "Mekong Forum",
        "name_vi": "Diễn đàn Mekong",
        "short_name": "Mekong Forum",
        "short_name_vi": "Diễn đàn Mekong",
        "organising_unit": AcademyUnit.ISS,
        "track": "track_1_5",
        "description": (
            "A forum on water security, sustainable development and cooperation among the "
            "Mekong riparian countries and their partners."
        ),
    },
    {
        "slug": SINOLOGY,
        "name": "International Sinology Symposium",
        "name_vi": "Hội thảo Quốc tế Hán học",
        "short_name": "Sinology Symposium",
        "short_name_vi": "Hội thảo Hán học",
        "organising_unit": AcademyUnit.FOREIGN_POLICY,
        "track": "track_2",
        "description": (
            "A symposium for scholars of China's history, politics, foreign policy and "
            "economy, and of Việt Nam–China relations."  # noqa: RUF001
        ),
    },
]

# East Sea Conference: one a year from 2009; the 15th is the upcoming one (dated from today).
EAST_SEA_THEMES = {
    1: "The South China Sea: Cooperation for Regional Security and Development",
    2: "Maritime Security and Cooperation in the South China Sea",
    3: "Managing Tensions and Promoting Cooperation",
    4: "Cooperation for Regional Security and Development",
    5: "Regional and Global Perspectives on Maritime Order",
    6: "The South China Sea in a Changing Regional Order",
    7: "Building Trust for a Rules-Based Maritime Order",
    8: "Cooperation for Regional Peace and Prosperity",
    9: "Sustaining Peace and Managing Risks at Sea",
    10: "A Decade of Dialogue: Lessons and the Way Forward",
    11: "Navigating through Uncertainty",
    12: "Maritime Order in a Post-Pandemic World",
    13: "Cooperation amid Strategic Competition",
    14: "UNCLOS at 40: Upholding the Constitution for the Oceans",
    15: "Maritime Security in an Age of Emerging Technologies",
}
EAST_SEA_PLACES = [
    ("Hà Nội", "Academy Conference Hall, Hà Nội"),
    ("Hồ Chí Minh City", "Saigon Riverside Convention Centre"),
    ("Hà Nội", "Academy Conference Hall, Hà Nội"),
    ("Đà Nẵng", "Sơn Trà Peninsula Conference Centre"),
    ("Hà Nội", "Ba Đình International Convention Centre"),
    ("Hồ Chí Minh City", "Saigon Riverside Convention Centre"),
    ("Nha Trang", "Nha Trang Bay International Conference Centre"),
]

OCEAN_DIALOGUE_TOPICS = {
    1: "UNCLOS 1982 and the Settlement of Maritime Disputes",
    2: "Climate Change and the Ocean: Risks for Coastal States",
    3: "Sea-Level Rise and the Stability of Maritime Baselines",
    4: "Offshore Wind Power: Law, Investment and Security",
    5: "Marine Plastic Pollution: Towards a Global Treaty",
    6: "Illegal, Unreported and Unregulated Fishing",
    7: "Biodiversity beyond National Jurisdiction (BBNJ Agreement)",
    8: "Subsea Cables and Critical Maritime Infrastructure",
    9: "Blue Economy and Sustainable Coastal Development",
    10: "Search and Rescue and Humanitarian Cooperation at Sea",
    11: "Ocean Science, Data Sharing and Marine Scientific Research",
}
OCEAN_DIALOGUE_PLACES = [
    ("Hà Nội", "Academy Conference Hall, Hà Nội"),
    ("Nha Trang", "Institute of Oceanography Lecture Hall"),
    ("Đà Nẵng", "Sơn Trà Peninsula Conference Centre"),
    ("Quy Nhơn", "Quy Nhơn Science Exchange Centre"),
]

MEKONG_THEMES = {
    1: "Water Security and Sustainable Development in the Mekong Subregion",
    2: "Hydropower, Food Security and Livelihoods",
    3: "Climate Resilience of the Mekong Delta",
    4: "Mekong Cooperation Mechanisms: Synergies and Gaps",
    5: "Data Sharing and Transboundary Water Governance",
}
MEKONG_PLACES = [
    ("Cần Thơ", "Mekong Delta Convention Centre, Cần Thơ"),
    ("Hà Nội", "Academy Conference Hall, Hà Nội"),
    ("Hồ Chí Minh City", "Saigon Riverside Convention Centre"),
]

SINOLOGY_THEMES = {
    1: "China Studies in Việt Nam: Traditions and New Directions",
    2: "China's Foreign Policy in the New Era",
    3: "Việt Nam–China Relations: History and Prospects",  # noqa: RUF001
    4: "China's Economy and Regional Connectivity",
}
SINOLOGY_PLACES = [
    ("Hà Nội", "Academy Conference Hall, Hà Nội"),
    ("Huế", "Huế Imperial City Heritage Centre"),
]

# What each past edition was about, as its coordinator would tag it: 1-3 expertise areas by its
# theme. The history step (history.py) picks its invitees from these areas and from the forum's
# regulars; the recommender never reads this list (it infers topics from the edition's text).
# Covers every past edition without invitations of its own (East Sea 12-14 have theirs).
_MS, _LOS, _DISPUTES = (
    "Maritime security",
    "Law of the sea (UNCLOS)",
    "Territorial and maritime disputes",
)
_MEKONG, _CHINA, _ASEAN = (
    "Mekong water resources",
    "China studies",
    "ASEAN and regional architecture",
)
_CLIMATE, _ENERGY = "Climate change and sea-level rise", "Energy and offshore resources"
_FISHERIES, _BLUE = "Fisheries and marine environment", "Blue economy"
_POWERS, _HISTORY, _INDO_PACIFIC = (
    "Great-power relations",
    "Diplomatic history",
    "Indo-Pacific strategy",
)
# fmt: off
PAST_EDITION_AREAS = {
    (EAST_SEA, 1): (_DISPUTES, _MS, _ASEAN),
    (EAST_SEA, 2): (_MS, _DISPUTES),
    (EAST_SEA, 3): (_DISPUTES, _ASEAN),
    (EAST_SEA, 4): (_ASEAN, _MS),
    (EAST_SEA, 5): (_LOS, _POWERS),
    (EAST_SEA, 6): (_DISPUTES, _POWERS, _ASEAN),
    (EAST_SEA, 7): (_LOS, _DISPUTES),
    (EAST_SEA, 8): (_ASEAN, _BLUE),
    (EAST_SEA, 9): (_MS, _DISPUTES),
    (EAST_SEA, 10): (_HISTORY, _DISPUTES),
    (EAST_SEA, 11): (_POWERS, _INDO_PACIFIC),
    (OCEAN_DIALOGUE, 1): (_LOS, _DISPUTES),
    (OCEAN_DIALOGUE, 2): (_CLIMATE,),
    (OCEAN_DIALOGUE, 3): (_CLIMATE, _LOS),
    (OCEAN_DIALOGUE, 4): (_ENERGY, _LOS),
    (OCEAN_DIALOGUE, 5): (_FISHERIES, _BLUE),
    (OCEAN_DIALOGUE, 6): (_FISHERIES, _MS),
    (OCEAN_DIALOGUE, 7): (_LOS, _FISHERIES),
    (OCEAN_DIALOGUE, 8): (_MS, _ENERGY),
    (OCEAN_DIALOGUE, 9): (_BLUE, _CLIMATE),
    (OCEAN_DIALOGUE, 10): (_MS, _ASEAN),
    (MEKONG_FORUM, 1): (_MEKONG,),
    (MEKONG_FORUM, 2): (_MEKONG, _ENERGY),
    (MEKONG_FORUM, 3): (_MEKONG, _CLIMATE),
    (MEKONG_FORUM, 4): (_MEKONG, _ASEAN),
    (SINOLOGY, 1): (_CHINA, _HISTORY),
    (SINOLOGY, 2): (_CHINA, _POWERS),
    (SINOLOGY, 3): (_CHINA, _HISTORY),
}
# fmt: on

# Vietnamese texts for experts who read Vietnamese: every venue, the themes of the upcoming
# editions (past ones stay English-only, as in an archive not yet translated).
VENUES_VI = {
    "Academy Conference Hall, Hà Nội": "Hội trường Học viện, Hà Nội",
    "Saigon Riverside Convention Centre": "Trung tâm Hội nghị Ven sông Sài Gòn",
    "Sơn Trà Peninsula Conference Centre": "Trung tâm Hội nghị Bán đảo Sơn Trà",
    "Ba Đình International Convention Centre": "Trung tâm Hội nghị Quốc tế Ba Đình",
    "Nha Trang Bay International Conference Centre": "Trung tâm Hội nghị Quốc tế Vịnh Nha Trang",
    "Institute of Oceanography Lecture Hall": "Giảng đường Viện Hải dương học",
    "Quy Nhơn Science Exchange Centre": "Trung tâm Giao lưu Khoa học Quy Nhơn",
    "Mekong Delta Convention Centre, Cần Thơ": (
        "Trung tâm Hội nghị Đồng bằng sông Cửu Long, Cần Thơ"
    ),
    "Huế Imperial City Heritage Centre": "Trung tâm Di sản Kinh thành Huế",
}
UPCOMING_THEMES_VI = {
    (EAST_SEA, 15): "An ninh biển trong kỷ nguyên công nghệ mới nổi",
    (OCEAN_DIALOGUE, 11): "Khoa học đại dương, chia sẻ dữ liệu và nghiên cứu khoa học biển",
    (MEKONG_FORUM, 5): "Chia sẻ dữ liệu và quản trị nguồn nước xuyên biên giới",
    (SINOLOGY, 4): "Kinh tế Trung Quốc và kết nối khu vực",
}

# --- Sessions of the upcoming East Sea Conference -------------------------------------------
# (day, start "HH:MM", minutes, kind, title, attribution or "", room, speakers, has moderator)

# fmt: off
UPCOMING_SESSIONS = [
    (0, "08:30", 45, "opening", "Opening Session: Welcome and Opening Remarks", "on_the_record",
     "Grand Ballroom", 2, False),
    (0, "09:30", 75, "plenary", "Keynote Session: The State of Maritime Order in the Indo-Pacific",
     "on_the_record", "Grand Ballroom", 2, True),
    (0, "11:00", 90, "panel", "Panel 1: Great-Power Competition and the South China Sea", "",
     "Grand Ballroom", 4, True),
    (0, "13:30", 90, "panel", "Panel 2: UNCLOS, Arbitration and the Role of International Law", "",
     "Grand Ballroom", 4, True),
    (0, "15:15", 90, "panel", "Panel 3: Coast Guards, Maritime Militias and Incidents at Sea", "",
     "Lotus Room", 3, True),
    (1, "08:30", 90, "panel", "Panel 4: ASEAN Centrality and the Code of Conduct", "",
     "Grand Ballroom", 4, True),
    (1, "10:15", 90, "panel",
     "Panel 5: Unmanned Systems, Subsea Cables and Emerging Maritime Technologies", "",
     "Grand Ballroom", 3, True),
    (1, "13:30", 90, "panel", "Panel 6: Fisheries, Marine Environment and the Blue Economy", "",
     "Lotus Room", 3, True),
    (1, "15:15", 90, "roundtable",
     "Closed-Door Roundtable: Confidence-Building Measures and Crisis Management", "chatham_house",
     "Executive Boardroom", 6, True),
    (1, "17:00", 30, "closing", "Closing Session: Summary and Closing Remarks", "on_the_record",
     "Grand Ballroom", 1, False),
]
# fmt: on

# The sessions' Vietnamese titles, by their English title.
UPCOMING_SESSION_TITLES_VI = {
    "Opening Session: Welcome and Opening Remarks": (
        "Phiên khai mạc: Chào mừng và phát biểu khai mạc"
    ),
    "Keynote Session: The State of Maritime Order in the Indo-Pacific": (
        "Phiên toàn thể: Thực trạng trật tự biển tại khu vực Ấn Độ Dương - Thái Bình Dương"
    ),
    "Panel 1: Great-Power Competition and the South China Sea": (
        "Phiên thảo luận 1: Cạnh tranh nước lớn và Biển Đông"
    ),
    "Panel 2: UNCLOS, Arbitration and the Role of International Law": (
        "Phiên thảo luận 2: UNCLOS, trọng tài và vai trò của luật pháp quốc tế"
    ),
    "Panel 3: Coast Guards, Maritime Militias and Incidents at Sea": (
        "Phiên thảo luận 3: Lực lượng cảnh sát biển, dân quân biển và các sự cố trên biển"
    ),
    "Panel 4: ASEAN Centrality and the Code of Conduct": (
        "Phiên thảo luận 4: Vai trò trung tâm của ASEAN và Bộ quy tắc ứng xử (COC)"
    ),
    "Panel 5: Unmanned Systems, Subsea Cables and Emerging Maritime Technologies": (
        "Phiên thảo luận 5: Phương tiện không người lái, cáp ngầm và các công nghệ biển mới nổi"
    ),
    "Panel 6: Fisheries, Marine Environment and the Blue Economy": (
        "Phiên thảo luận 6: Nghề cá, môi trường biển và kinh tế biển xanh"
    ),
    "Closed-Door Roundtable: Confidence-Building Measures and Crisis Management": (
        "Tọa đàm bàn tròn kín: Các biện pháp xây dựng lòng tin và quản lý khủng hoảng"
    ),
    "Closing Session: Summary and Closing Remarks": "Phiên bế mạc: Tổng kết và phát biểu bế mạc",
}

ROUNDTABLE_DESCRIPTION = (
    "Closed-door session for invited participants only: no press, no recording. Held under the "
    "Chatham House Rule."
)

EAST_SEA_PRACTICAL_INFORMATION = """Venue: {venue}, {city}.
Registration opens at 07:45 on the first day; please bring your passport or ID card.
Accommodation: the academy has reserved rooms at the conference hotel at a preferential rate \
for overseas participants; indicate in your reply whether you need a room.
Visa: participants who need a visa invitation letter should say so when they reply, with the \
name exactly as in their passport, at least four weeks before the conference.
Airport transfers from the international airport are provided on the day before the \
conference.
Dress code: business attire. Simultaneous interpretation English-Vietnamese is provided in \
the plenary sessions."""

EAST_SEA_PRACTICAL_INFORMATION_VI = """Địa điểm: {venue}, {city}.
Bàn đăng ký mở lúc 07:45 ngày đầu tiên; Quý vị vui lòng mang theo hộ chiếu hoặc thẻ căn cước.
Lưu trú: Học viện đã đặt phòng tại khách sạn của hội thảo với giá ưu đãi cho đại biểu quốc tế; \
Quý vị vui lòng cho biết trong phản hồi nếu cần phòng.
Thị thực: đại biểu cần thư hỗ trợ thị thực xin cho biết khi phản hồi, kèm họ tên đúng như trên \
hộ chiếu, chậm nhất bốn tuần trước hội thảo.
Ban Tổ chức bố trí xe đón tại sân bay quốc tế vào ngày trước hội thảo.
Trang phục: trang phục công sở. Có phiên dịch song song Anh - Việt tại các phiên toàn thể."""

# --- Partner institutions -------------------------------------------------------------------
# key, name, native name, acronym, kind, country, city, domain; all fictional.

# fmt: off
INSTITUTIONS = [
    ("cmis", "Central Coast Institute for Marine and Island Studies",
     "Viện Nghiên cứu Biển và Hải đảo Miền Trung", "CMIS", "gov_research", "VN", "Đà Nẵng",
     "cmis.example"),
    ("hcmc-ir", "Southern University of Social Sciences, Faculty of International Relations",
     "Trường Đại học Khoa học Xã hội phương Nam, Khoa Quan hệ Quốc tế", "SUSS-IR", "university",
     "VN", "Hồ Chí Minh City", "suss-ir.example"),
    ("vnlaw", "Institute for Maritime Law and Policy", "Viện Luật và Chính sách Biển", "IMLP",
     "gov_research", "VN", "Hà Nội", "imlp.example"),
    ("mekong-vn", "Mekong Delta Research Centre", "Trung tâm Nghiên cứu Đồng bằng sông Cửu Long",
     "MDRC", "university", "VN", "Cần Thơ", "mdrc.example"),
    ("lingnan", "Lingnan Institute of Ocean Policy", "岭南海洋政策研究所", "LIOP", "think_tank",
     "CN", "Guangzhou", "liop.example"),
    ("huadong", "Huadong University School of International Studies", "华东大学国际关系学院",
     "HUSIS", "university", "CN", "Shanghai", "husis.example"),
    ("kansai", "Kansai Institute for Maritime Order", "関西海洋秩序研究所", "KIMO", "think_tank",
     "JP", "Osaka", "kimo.example"),
    ("tohoku", "Tōhoku Centre for Asian Security Studies", "東北アジア安全保障研究センター",
     "TCASS", "university", "JP", "Sendai", "tcass.example"),
    ("busan", "Busan Ocean Strategy Institute", "부산해양전략연구원", "BOSI", "think_tank", "KR",
     "Busan", "bosi.example"),
    ("hanbit", "Hanbit University Graduate School of International Studies",
     "한빛대학교 국제대학원", "HGSIS", "university", "KR", "Seoul", "hgsis.example"),
    ("ceip-lyon", "Centre for Indo-Pacific Strategic Studies",
     "Centre d'études stratégiques de l'Indo-Pacifique", "CESIP", "think_tank", "FR", "Lyon",
     "cesip.example"),
    ("nantes", "Institute of Maritime Law of the Atlantic Coast",
     "Institut du droit de la mer de la façade atlantique", "IDMA", "university", "FR", "Nantes",
     "idma.example"),
    ("hamburg", "Hanseatic Institute for Ocean Governance",
     "Hanseatisches Institut für Meerespolitik", "HIOG", "think_tank", "DE", "Hamburg",
     "hiog.example"),
    ("thames", "Thames Centre for Maritime Security Studies", "", "TCMSS", "university", "GB",
     "London", "tcmss.example"),
    ("wessex", "Wessex Institute of International Affairs", "", "WIIA", "think_tank", "GB",
     "Southampton", "wiia.example"),
    ("potomac", "Potomac Council on Asian Affairs", "", "PCAA", "think_tank", "US",
     "Washington, D.C.", "pcaa.example"),
    ("pacific-uni", "Pacific Coast University, Center for Southeast Asian Studies", "", "PCU-SEAS",
     "university", "US", "San Diego", "pcu-seas.example"),
    ("canberra", "Southern Cross Centre for Strategic Studies", "", "SCCSS", "university", "AU",
     "Canberra", "sccss.example"),
    ("perth", "Indian Ocean Futures Institute", "", "IOFI", "think_tank", "AU", "Perth",
     "iofi.example"),
    ("delhi", "Institute for Indo-Pacific Maritime Studies", "", "IIPMS", "think_tank", "IN",
     "New Delhi", "iipms.example"),
    ("jakarta", "Nusantara Centre for Maritime Affairs", "Pusat Kajian Kemaritiman Nusantara",
     "NCMA", "think_tank", "ID", "Jakarta", "ncma.example"),
    ("manila", "Archipelagic Studies Foundation", "", "ASF", "ngo", "PH", "Manila", "asf.example"),
    ("kl", "Selat Institute of Strategic and International Studies",
     "Institut Kajian Strategik dan Antarabangsa Selat", "SISIS", "think_tank", "MY",
     "Kuala Lumpur", "sisis.example"),
    ("singapore", "Straits School of Maritime and Regional Affairs", "", "SSMRA", "university",
     "SG", "Singapore", "ssmra.example"),
    ("bangkok", "Chao Phraya Institute of Asian Studies", "สถาบันเอเชียศึกษาเจ้าพระยา", "CPIAS",
     "university", "TH", "Bangkok", "cpias.example"),
    ("phnom-penh", "Tonle Institute for Regional Cooperation", "", "TIRC", "think_tank", "KH",
     "Phnom Penh", "tirc.example"),
    ("vientiane", "Lao Institute for Mekong Studies", "", "LIMS", "gov_research", "LA",
     "Vientiane", "lims.example"),
    ("leiden", "Rhine Delta Institute for Water and Climate",
     "Rijndelta Instituut voor Water en Klimaat", "RDIWC", "gov_research", "NL", "Delft",
     "rdiwc.example"),
    ("brussels", "European Forum for Asian Security", "", "EFAS", "ngo", "BE", "Brussels",
     "efas.example"),
    ("moscow", "Institute of Asia-Pacific Studies of the Eastern Academy",
     "Институт Азиатско-Тихоокеанских исследований Восточной академии", "IAPS", "gov_research",
     "RU", "Moscow", "iaps.example"),
    ("ottawa", "Rideau Centre for Ocean Law", "Centre Rideau du droit de l'océan", "RCOL",
     "university", "CA", "Ottawa", "rcol.example"),
    ("wellington", "Aotearoa Pacific Policy Institute", "", "APPI", "think_tank", "NZ",
     "Wellington", "appi.example"),
    ("oslo", "Nordic Centre for Ocean Affairs", "Nordisk senter for havspørsmål", "NCOA",
     "think_tank", "NO", "Bergen", "ncoa.example"),
    ("rome", "Mediterranean Institute for Maritime Law",
     "Istituto Mediterraneo di Diritto Marittimo", "IMDM", "university", "IT", "Genoa",
     "imdm.example"),
    ("madrid", "Iberian Observatory on Asia", "Observatorio Ibérico sobre Asia", "OIA",
     "think_tank", "ES", "Madrid", "oia.example"),
    ("malacca", "Malacca Strait Policy Forum", "", "MSPF", "ngo", "MY", "Malacca", "mspf.example"),
    ("apogn", "Asia-Pacific Ocean Governance Network", "", "APOGN", "intl_org", "SG", "Singapore",
     "apogn.example"),
    ("mwc", "Mekong Water Cooperation Secretariat", "", "MWCS", "intl_org", "LA", "Vientiane",
     "mwcs.example"),
    ("geneva-sea", "International Network for Maritime Safety", "", "INMS", "intl_org", "CH",
     "Geneva", "inms.example"),
    ("seaclimate", "Coastal Resilience Alliance", "", "CRA", "ngo", "PH", "Cebu City",
     "cra.example"),
    ("hue-sino", "Huế Institute of Sino-Nom and China Studies",
     "Viện Nghiên cứu Hán Nôm và Trung Quốc học Huế", "HISC", "university", "VN", "Huế",
     "hisc.example"),
]
# fmt: on

# Contacts: (institution key, name, position, local part); one or two per partner are generated
# from this list plus a generic "international relations office" contact.
# fmt: off
CONTACTS = [
    ("cmis", "Trần Thị Minh Ngọc", "Head of International Cooperation", "ngoc.tran"),
    ("hcmc-ir", "Lê Quang Vinh", "Dean", "vinh.le"),
    ("vnlaw", "Phạm Thu Hà", "Deputy Director", "ha.pham"),
    ("lingnan", "Zhou Wenjie", "Director of External Relations", "zhou.wenjie"),
    ("kansai", "Mori Ayaka", "Programme Officer", "a.mori"),
    ("busan", "Park Ji-hoon", "Senior Researcher", "jihoon.park"),
    ("ceip-lyon", "Camille Laurent", "Head of Asia Programme", "c.laurent"),
    ("hamburg", "Jonas Becker", "Research Coordinator", "j.becker"),
    ("thames", "Eleanor Whitfield", "Centre Manager", "e.whitfield"),
    ("potomac", "Daniel Brooks", "Vice President for Programs", "dbrooks"),
    ("canberra", "Sophie Tran", "Partnerships Manager", "sophie.tran"),
    ("delhi", "Ananya Rao", "Fellow and Outreach Lead", "ananya.rao"),
    ("jakarta", "Dewi Lestari", "Executive Director", "dewi"),
    ("singapore", "Marcus Lim", "Assistant Dean", "marcus.lim"),
    ("apogn", "Helena Sørensen", "Secretary-General", "h.sorensen"),
    ("mwc", "Somchai Vongsa", "Programme Director", "s.vongsa"),
]
# fmt: on

# --- MOUs -----------------------------------------------------------------------------------
# (institution key, title, unit, plan, areas). Plans (dates are relative to today):
#   active: in force for years; expiring-N: active, expires in N days; expired: past, stored
#   expired; terminated; draft: not yet signed; open-ended: active, no expiry date;
#   renewal-old / renewal-new: a renewal chain (the new one `supersedes` the old one).

# fmt: off
MOUS = [
    ("cmis", "MOU on Maritime Research Cooperation", AcademyUnit.EAST_SEA, "open-ended",
     "Joint research on maritime law\nStaff exchange\nJoint conferences"),
    ("hcmc-ir", "MOU on Academic Exchange", AcademyUnit.TRAINING, "active",
     "Student exchange\nCo-supervision of theses"),
    ("vnlaw", "MOU on Law of the Sea Training", AcademyUnit.EAST_SEA, "expiring-25",
     "Training courses on UNCLOS\nJoint publications"),
    ("mekong-vn", "MOU on Mekong Delta Research", AcademyUnit.ISS, "active",
     "Field research\nPolicy briefs on water security"),
    ("lingnan", "MOU on Academic Exchange and Dialogue", AcademyUnit.EAST_SEA, "active",
     "Annual bilateral dialogue\nExchange of visiting scholars"),
    ("huadong", "MOU on China Studies Cooperation", AcademyUnit.FOREIGN_POLICY, "expired",
     "Joint symposium\nExchange of publications"),
    ("kansai", "MOU on Research Cooperation", AcademyUnit.EAST_SEA, "renewal-old",
     "Joint research on maritime security\nExchange of researchers"),
    ("kansai", "Renewed MOU on Research Cooperation", AcademyUnit.EAST_SEA, "renewal-new",
     "Joint research on maritime security\nExchange of researchers\nCo-hosted Ocean Dialogue"),
    ("tohoku", "MOU on Security Studies Exchange", AcademyUnit.ISS, "expiring-60",
     "Visiting fellowships\nJoint workshops"),
    ("busan", "MOU on Ocean Strategy Dialogue", AcademyUnit.EAST_SEA, "active",
     "Annual maritime dialogue\nJoint policy reports"),
    ("hanbit", "MOU on Graduate Student Exchange", AcademyUnit.TRAINING, "draft",
     "Student exchange\nSummer school"),
    ("ceip-lyon", "MOU on Indo-Pacific Strategic Dialogue", AcademyUnit.ISS, "active",
     "Track 2 dialogue\nJoint publications"),
    ("nantes", "MOU on Law of the Sea Teaching", AcademyUnit.EAST_SEA, "terminated",
     "Guest lectures\nJoint summer course"),
    ("hamburg", "MOU on Ocean Governance Research", AcademyUnit.EAST_SEA, "expiring-85",
     "Research on offshore wind power\nSea-level rise and baselines"),
    ("thames", "MOU on Maritime Security Education", AcademyUnit.TRAINING, "active",
     "Short courses for diplomats\nVisiting lecturers"),
    ("wessex", "MOU on Policy Research Cooperation", AcademyUnit.FOREIGN_POLICY, "expired",
     "Joint policy papers"),
    ("potomac", "MOU on Track 2 Dialogue", AcademyUnit.ISS, "active",
     "Bilateral Track 2 dialogue\nExchange of visiting fellows"),
    ("pacific-uni", "MOU on Southeast Asian Studies", AcademyUnit.TRAINING, "draft",
     "Student internships\nJoint research"),
    ("canberra", "MOU on Strategic Studies Cooperation", AcademyUnit.ISS, "expiring-10",
     "Joint research\nStaff exchange\nCo-hosted workshops"),
    ("perth", "MOU on Indian Ocean Research", AcademyUnit.EAST_SEA, "open-ended",
     "Maritime domain awareness research"),
    ("delhi", "MOU on Maritime Studies Cooperation", AcademyUnit.EAST_SEA, "active",
     "Joint conferences\nResearch exchange"),
    ("jakarta", "MOU on Archipelagic and Maritime Affairs", AcademyUnit.EAST_SEA, "active",
     "Joint research on archipelagic regimes\nMaritime security dialogue"),
    ("manila", "MOU on Civil Society Cooperation", AcademyUnit.INTERNATIONAL_COOPERATION,
     "terminated", "Outreach programmes"),
    ("kl", "MOU on Strategic Studies Exchange", AcademyUnit.ISS, "expiring-45",
     "ASEAN Track 2 dialogue\nExchange of researchers"),
    ("singapore", "MOU on Executive Training", AcademyUnit.TRAINING, "active",
     "Executive courses on maritime affairs\nJoint case studies"),
    ("bangkok", "MOU on Asian Studies Cooperation", AcademyUnit.TRAINING, "expired",
     "Student exchange"),
    ("phnom-penh", "MOU on Mekong Subregional Research", AcademyUnit.ISS, "active",
     "Mekong cooperation research"),
    ("vientiane", "MOU on Mekong Studies", AcademyUnit.ISS, "draft",
     "Joint field research\nMekong Forum co-organisation"),
    ("leiden", "MOU on Delta Climate Resilience", AcademyUnit.ISS, "active",
     "Climate adaptation in the Mekong Delta\nSea-level rise modelling"),
    ("brussels", "MOU on Europe–Asia Security Dialogue", AcademyUnit.FOREIGN_POLICY, "active",  # noqa: RUF001
     "Annual dialogue in Brussels and Hà Nội"),
    ("ottawa", "MOU on Ocean Law Research", AcademyUnit.EAST_SEA, "expiring-70",
     "Research on UNCLOS dispute settlement"),
    ("oslo", "MOU on Ocean Affairs Cooperation", AcademyUnit.EAST_SEA, "active",
     "Offshore wind power\nMarine spatial planning"),
    ("rome", "MOU on Maritime Law Teaching", AcademyUnit.TRAINING, "open-ended",
     "Guest lectures on maritime law"),
    ("apogn", "MOU on Ocean Governance Network Membership", AcademyUnit.INTERNATIONAL_COOPERATION,
     "active", "Network membership\nData sharing"),
    ("mwc", "MOU on Mekong Water Data Cooperation", AcademyUnit.ISS, "renewal-old",
     "Exchange of hydrological data"),
    ("mwc", "Renewed MOU on Mekong Water Data Cooperation", AcademyUnit.ISS, "expiring-40",
     "Exchange of hydrological data\nJoint early-warning studies"),
    ("geneva-sea", "MOU on Maritime Safety Training", AcademyUnit.INTERNATIONAL_COOPERATION,
     "expired", "Search and rescue training"),
    ("hue-sino", "MOU on Sino-Nom Studies", AcademyUnit.FOREIGN_POLICY, "active",
     "Joint symposium\nDigitisation of Hán Nôm sources"),
]
# fmt: on

# --- Name pools for the ~200 fictional experts ----------------------------------------------

# fmt: off
VN_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
             "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trương"]
VN_MIDDLE_MALE = ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Xuân", "Công", "Hoàng"]
VN_MIDDLE_FEMALE = ["Thị", "Thu", "Ngọc", "Thanh", "Hồng", "Mai", "Kim", "Phương"]
VN_GIVEN_MALE = ["Sơn", "Hùng", "Dũng", "Tuấn", "Long", "Nam", "Bình", "Khánh", "Thắng", "Quang",
                 "Hải", "Trung", "Phong", "Việt", "Cường", "Huy", "Đạt", "Lâm"]
VN_GIVEN_FEMALE = ["Lan", "Hương", "Hà", "Phương", "Trang", "Thảo", "Linh", "Ngân", "Hạnh", "Yến",
                   "Nhung", "Vân", "Châu", "Quỳnh"]
# fmt: on
# Real public figures whose names the generator must not produce.
VN_EXCLUDED_FULL_NAMES = {"Nguyễn Hùng Sơn", "Trần Việt Thái", "Đặng Đình Quý"}

# fmt: off
CN_FAMILY = ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu",
             "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Lin"]
CN_GIVEN = ["Jianguo", "Haiyan", "Wenbo", "Xiaoming", "Lihua", "Yufei", "Zhiwei", "Mingyu",
            "Shuang", "Jiayi", "Hongbo", "Xinyi", "Tao", "Lei", "Yan", "Qiang"]
# fmt: on

# fmt: off
JP_FAMILY = ["Tanaka", "Suzuki", "Takahashi", "Watanabe", "Itō", "Yamamoto", "Nakamura",
             "Kobayashi", "Katō", "Yoshida", "Yamada", "Sasaki", "Matsumoto", "Inoue"]
JP_GIVEN = ["Haruki", "Yūko", "Kenji", "Aiko", "Takeshi", "Naomi", "Hiroshi", "Emi", "Daisuke",
            "Sakura", "Kōji", "Mariko"]
# fmt: on

# fmt: off
KR_FAMILY = ["Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim"]
KR_GIVEN = ["Min-jun", "Seo-yeon", "Ji-ho", "Hye-jin", "Dong-hyun", "Soo-ah", "Jae-won", "Eun-ji",
            "Sung-min", "Ha-eun"]
# fmt: on

# The women's given names of the pools above and below, for the Vietnamese form of address
# ("Bà", not "Ông"); Vietnamese women are told by their given name (VN_GIVEN_FEMALE).
# fmt: off
FEMALE_GIVEN = {
    *VN_GIVEN_FEMALE,
    "Haiyan", "Lihua", "Yufei", "Jiayi", "Xinyi", "Yan", "Shuang",
    "Yūko", "Aiko", "Naomi", "Emi", "Sakura", "Mariko",
    "Seo-yeon", "Hye-jin", "Soo-ah", "Eun-ji", "Ha-eun",
    "Sarah", "Emily", "Rachel", "Laura", "Charlotte", "Harriet", "Imogen", "Claire", "Élodie",
    "Hélène", "Katharina", "Annika", "Chloe", "Georgia", "Priya", "Kavya", "Sri", "Ratna",
    "Maria", "Cristina", "Nurul", "Siti", "Wei Ling", "Shu Fen", "Kanya", "Pimchanok", "Femke",
    "Ingrid", "Madeleine", "Anastasia", "Giulia",
}
# fmt: on

# Given-first names by country: (country, given names, family names, domain hint).
# fmt: off
WESTERN_POOLS = [
    ("US", ["Michael", "Sarah", "David", "Emily", "James", "Rachel", "Andrew", "Laura"],
     ["Carter", "Hughes", "Bennett", "Foster", "Reynolds", "Palmer", "Sullivan", "Hayes"]),
    ("GB", ["Oliver", "Charlotte", "William", "Harriet", "Edward", "Imogen"],
     ["Ashworth", "Pemberton", "Fletcher", "Holloway", "Kendall", "Radcliffe"]),
    ("FR", ["Julien", "Claire", "Mathieu", "Élodie", "Antoine", "Hélène"],
     ["Moreau", "Lefèvre", "Girard", "Rousseau", "Fontaine", "Mercier"]),
    ("DE", ["Lukas", "Katharina", "Florian", "Annika", "Matthias"],
     ["Schäfer", "Hoffmann", "Krüger", "Neumann", "Zimmermann"]),
    ("AU", ["Liam", "Chloe", "Hamish", "Georgia", "Callum"],
     ["McAllister", "Donnelly", "Fairweather", "Gallagher", "Whitlam"]),
    ("IN", ["Arjun", "Priya", "Rohan", "Kavya", "Vikram"],
     ["Menon", "Iyer", "Chatterjee", "Nair", "Deshpande"]),
    ("ID", ["Adi", "Sri", "Bayu", "Ratna", "Hendra"],
     ["Wibowo", "Santoso", "Kusuma", "Hidayat", "Pratama"]),
    ("PH", ["Jose", "Maria", "Ramon", "Cristina", "Paolo"],
     ["Dela Cruz", "Villanueva", "Bautista", "Mendoza", "Aquino"]),
    ("MY", ["Ahmad", "Nurul", "Farid", "Siti"], ["Rahman", "Ismail", "Hassan", "Yusof"]),
    ("SG", ["Wei Ling", "Kelvin", "Shu Fen", "Darren"], ["Tan", "Ng", "Goh", "Teo"]),
    ("TH", ["Somsak", "Kanya", "Thanawat", "Pimchanok"],
     ["Srisuk", "Chaiyaporn", "Wongsawat", "Rattanakul"]),
    ("NL", ["Pieter", "Femke", "Maarten"], ["de Vries", "van Dijk", "Bakker"]),
    ("NO", ["Erik", "Ingrid", "Magnus"], ["Haugen", "Lindqvist", "Solberg"]),
    ("CA", ["Ethan", "Madeleine", "Noah"], ["Tremblay", "Gagnon", "MacLeod"]),
    ("RU", ["Dmitri", "Anastasia", "Sergei"], ["Volkov", "Sokolova", "Morozov"]),
    ("IT", ["Marco", "Giulia", "Lorenzo"], ["Ferrari", "Conti", "Marino"]),
]
# fmt: on

# fmt: off
POSITIONS = {
    "scholar": ["Senior Research Fellow", "Research Fellow", "Professor of International Law",
                "Associate Professor of International Relations", "Lecturer",
                "Director of the Maritime Programme", "Deputy Director", "Visiting Scholar"],
    "official_private": ["Deputy Director-General (private capacity)",
                         "Senior Legal Adviser (private capacity)",
                         "Director, Department of Maritime Affairs (private capacity)"],
    "diplomat": ["Former Ambassador", "Minister-Counsellor", "Ambassador (retired)"],
    "journalist": ["Diplomatic Correspondent", "Asia Editor", "Senior Columnist"],
    "practitioner": ["Master Mariner and Maritime Consultant", "Offshore Energy Consultant",
                     "Coast Guard Liaison Officer (retired)", "Fisheries Policy Adviser"],
}
# fmt: on

# Country -> academy-wide language spoken, for the "languages" field.
# fmt: off
LANGUAGE_NAMES = {
    "VN": "Vietnamese",
    "CN": "Chinese",
    "JP": "Japanese",
    "KR": "Korean",
    "FR": "French",
    "DE": "German",
    "ID": "Indonesian",
    "TH": "Thai",
    "MY": "Malay",
    "RU": "Russian",
    "IT": "Italian",
    "NL": "Dutch",
    "NO": "Norwegian",
    "PH": "Filipino",
    "IN": "Hindi",
}
# fmt: on

# Email domains of Vietnamese experts who are not at a partner institution.
VN_FREE_AFFILIATIONS = [
    ("Institute for Central Highlands Social Research", "ichsr.example"),
    ("Red River Maritime University", "rrmu.example"),
    ("Coastal Hydro-Meteorological Research Centre", "chmrc.example"),
    ("Association of Vietnamese Fisheries Researchers", "avfr.example"),
]
