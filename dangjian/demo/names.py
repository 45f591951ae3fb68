"""Name material for the synthetic county: common surnames by rank, given-name characters by
gender, place names for towns, villages and communities, kinds of enterprise.

Surnames follow roughly the national frequency ranking, with the surnames common in Hunan (the
province of the source reports: 彭, 谭, 曾, 龙, 覃) placed higher. The two lists of given-name
characters share none: a man is never called 高燕 or 孙红, a woman never 王强.
"""

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许邓彭曾谭韩冯曹萧蔡潘田董袁于余叶"
    "蒋杜苏魏程吕丁沈任姚卢傅钟姜崔廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙"
    "陶贺顾毛郝龚邵万钱严覃武莫孔向汤易文欧"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛")

MALE_GIVEN = (
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林洋峰建国志文新春德海东清兵"
    "成武忠松青云振晨锋亮光雄昌荣盛永庆富贵福生祥发跃进卫民"
)
FEMALE_GIVEN = "芳娜敏静丽艳娟霞燕玲婷雪慧倩颖琳洁红梅兰英萍秀玉桂琴莉丹晶璐佳欣怡悦月凤珍琼蓉莲彩媛妍姗娇翠菊"

# Place names (村, 社区, 镇, the brand of a company): a first character and a second one, as the
# villages of Hunan are named (金塘, 白鹤, 马桥, 枫林, 石坪…): 34 × 24 of them, each plausible.
PLACE_FIRST = "兴连金双白新高长青红向太永和东西南北黄莲桃杨枫石龙凤万大上下清柏松马鹤云"
PLACE_SECOND = "丰山桥河石塘岭湖冲坪田港湾溪坡铺洲园林源泉峰阳花"
ENTERPRISE_KINDS = (
    "颜料有限公司",
    "机械制造有限公司",
    "建材有限公司",
    "食品有限公司",
    "物流有限公司",
    "电子科技有限公司",
    "纺织有限公司",
    "农业发展有限公司",
    "房地产开发有限公司",
    "新材料有限公司",
)
CHINESE_ORDINALS = "一二三四五六七八九十"


def ordinal(number: int) -> str:
    """一 … 十, then 十一 …: the numbers of branches (第一支部) and party groups (第二党小组)."""
    if number <= 10:
        return CHINESE_ORDINALS[number - 1]
    tens, units = divmod(number, 10)
    return f"{CHINESE_ORDINALS[tens - 1] if tens > 1 else ''}十{CHINESE_ORDINALS[units - 1] if units else ''}"
