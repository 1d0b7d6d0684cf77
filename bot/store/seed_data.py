"""The data the demo data set is drawn from: county codes, names, trade names and the weights of
each kind of firm, job and role (bot/store/seed.py draws from them with a seeded random number
generator; changing anything here changes the generated rows)."""

from typing import Tuple

SHENGSI = "330922"
DINGHAI = "330902"  # 舟山市定海区
PUTUO = "330903"  # 舟山市普陀区

# Household registrations (GB/T 2260 county codes) of generated people, with weights.
OTHER_COUNTIES: Tuple[Tuple[str, int], ...] = (
    ("520101", 9),  # 贵州 贵阳市
    ("520102", 5),  # 贵州 贵阳市南明区
    ("522422", 4),  # 贵州 大方县
    ("510104", 8),  # 四川 成都市锦江区
    ("511321", 4),  # 四川 南部县
    ("341202", 7),  # 安徽 阜阳市颍州区
    ("341221", 4),  # 安徽 临泉县
    ("410102", 7),  # 河南 郑州市中原区
    ("411721", 3),  # 河南 西平县
    ("430102", 4),  # 湖南 长沙市芙蓉区
    ("360102", 4),  # 江西 南昌市东湖区
    ("500101", 4),  # 重庆 万州区
    ("420102", 3),  # 湖北 武汉市江岸区
    ("450102", 2),  # 广西 南宁市兴宁区
    ("530102", 2),  # 云南 昆明市五华区
    ("620102", 2),  # 甘肃 兰州市城关区
    (DINGHAI, 3),  # 浙江 舟山市定海区: same province, still not a Shengsi household
)
LOCAL_SHARE = 0.12  # generated people with a Shengsi (330922) household

# Where chartered buses come from: canonical and full names (the importer accepts both).
ORIGIN_PROVINCES = (
    "贵州",
    "贵州省",
    "四川",
    "四川省",
    "安徽",
    "安徽省",
    "河南",
    "河南省",
    "湖南",
    "江西",
    "重庆",
    "重庆市",
    "湖北",
    "广西",
    "广西壮族自治区",
    "云南",
    "甘肃",
)
SAME_PROVINCE = ("浙江", "浙江省")

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501  (one table row / one list)
GIVEN = (
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "文",
    "华",
    "红",
    "玉兰",
    "建国",
    "志强",
    "小红",
    "海燕",
    "春梅",
    "国庆",
    "德明",
    "玉梅",
    "大勇",
    "小龙",
    "金凤",
    "永红",
    "海波",
    "俊",
    "鹏",
    "辉",
    "婷",
    "雪",
    "浩",
    "宇",
    "欣怡",
    "子涵",
    "梓萱",
    "晨",
    "龙",
    "飞",
    "琴",
    "云",
    "燕",
    "兵",
    "斌",
    "新民",
    "秋菊",
)
TRADE_NAMES = (
    "东海",
    "绿华",
    "花鸟",
    "洋山",
    "黄龙",
    "枸杞",
    "嵊山",
    "菜园",
    "五龙",
    "泗礁",
    "金平",
    "蓝海",
    "鑫源",
    "恒达",
    "宏远",
    "丰盛",
    "海韵",
    "渔港",
    "海星",
    "远洋",
    "金鹰",
    "海悦",
    "浪岗",
    "海联",
    "华达",
    "永兴",
)
INDUSTRY = {
    "ind_above": (
        "水产食品有限公司",
        "海洋渔业有限公司",
        "船舶修造有限公司",
        "冷冻食品有限公司",
        "机械制造有限公司",
        "新型建材有限公司",
        "海产品加工有限公司",
    ),
    "ind_small": ("渔具厂", "海产品加工厂", "网具有限公司", "五金加工厂", "包装材料厂"),
    "delivery": ("快递服务有限公司", "同城配送有限公司", "外卖配送服务部", "速递服务部"),
    "key": ("港区建设工程项目部", "海岛供水工程项目部", "海上风电项目部", "渔港改造工程项目部"),
    "service": (
        "大酒店有限公司",
        "超市有限公司",
        "民宿管理有限公司",
        "旅游开发有限公司",
        "餐饮管理有限公司",
        "物业服务有限公司",
    ),
    "agency": ("人力资源服务有限公司", "劳务派遣有限公司", "人力资源开发有限公司"),
    "outside": ("机械有限公司", "水产有限公司", "船舶修造有限公司", "物流有限公司"),
}

FIRM_MIX = (
    ("ind_above", 34),
    ("ind_small", 12),
    ("delivery", 10),
    ("key", 6),
    ("service", 22),
    ("agency", 6),
    ("outside", 10),
)
# Categories a generated person works in, with weights.
JOB_MIX = (("ind_above", 42), ("ind_small", 10), ("delivery", 15), ("key", 8), ("service", 17), ("outside", 8))

# The roles of a generated person's job, by the category of the firm, with weights.
ROLES = {
    "ind_above": (("frontline", 8), ("other", 2)),
    "ind_small": (("frontline", 9), ("other", 1)),
    "delivery": (("courier", 5), ("food_delivery", 5)),
    "key": (("frontline", 7), ("other", 3)),
    "service": (("other", 1),),
    "outside": (("frontline", 7), ("other", 3)),
}
