"""Name material for synthetic members: common surnames by rank, given-name characters by gender.

Surnames follow roughly the national frequency ranking, with the surnames common in Hunan (the
province of the source reports: 彭, 谭, 曾, 龙, 覃) placed higher.
"""

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许邓彭曾谭韩冯曹萧蔡潘田董袁于余叶"
    "蒋杜苏魏程吕丁沈任姚卢傅钟姜崔廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙"
    "陶贺顾毛郝龚邵万钱严覃武莫孔向汤易文欧"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛")

MALE_GIVEN = (
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林洋峰建国志文新春德海东清兵"
    "成武忠松青云振晨锋亮光雄昌荣盛永庆富贵福生祥发跃进卫红军民"
)
FEMALE_GIVEN = "芳娜敏静丽艳娟霞燕玲婷雪慧倩颖琳洁红梅兰英华萍秀玉桂琴莉丹晶璐佳欣怡悦月凤珍琼蓉莲彩霞媛妍姗娇翠菊"
# Place-name roots for villages, communities and enterprises.
PLACE_ROOTS = (
    "兴丰连山金桥双河白石新塘高塘长岭青山红星向阳太平永安和平东湖西湖南岭北斗黄花莲花"
    "桃源杨柳枫林石门龙泉凤凰万福团结光明新华胜利民主建设丰收"
)
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
