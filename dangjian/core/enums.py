"""Code lists shared across apps (national standards and the statistics' categories)."""

from django.db import models


class Gender(models.TextChoices):
    """GB/T 2261.1 性别代码."""

    MALE = "1", "男"
    FEMALE = "2", "女"


class Ethnicity(models.TextChoices):
    """GB/T 3304 民族代码: the 56 民族 and the two other categories the statistics use."""

    HAN = "01", "汉族"
    MONGOL = "02", "蒙古族"
    HUI = "03", "回族"
    TIBETAN = "04", "藏族"
    UYGHUR = "05", "维吾尔族"
    MIAO = "06", "苗族"
    YI = "07", "彝族"
    ZHUANG = "08", "壮族"
    BUYEI = "09", "布依族"
    KOREAN = "10", "朝鲜族"
    MANCHU = "11", "满族"
    DONG = "12", "侗族"
    YAO = "13", "瑶族"
    BAI = "14", "白族"
    TUJIA = "15", "土家族"
    HANI = "16", "哈尼族"
    KAZAKH = "17", "哈萨克族"
    DAI = "18", "傣族"
    LI = "19", "黎族"
    LISU = "20", "傈僳族"
    VA = "21", "佤族"
    SHE = "22", "畲族"
    GAOSHAN = "23", "高山族"
    LAHU = "24", "拉祜族"
    SUI = "25", "水族"
    DONGXIANG = "26", "东乡族"
    NAXI = "27", "纳西族"
    JINGPO = "28", "景颇族"
    KYRGYZ = "29", "柯尔克孜族"
    TU = "30", "土族"
    DAUR = "31", "达斡尔族"
    MULAO = "32", "仫佬族"
    QIANG = "33", "羌族"
    BLANG = "34", "布朗族"
    SALAR = "35", "撒拉族"
    MAONAN = "36", "毛南族"
    GELAO = "37", "仡佬族"
    XIBE = "38", "锡伯族"
    ACHANG = "39", "阿昌族"
    PUMI = "40", "普米族"
    TAJIK = "41", "塔吉克族"
    NU = "42", "怒族"
    UZBEK = "43", "乌孜别克族"
    RUSSIAN = "44", "俄罗斯族"
    EWENKI = "45", "鄂温克族"
    DEANG = "46", "德昂族"
    BONAN = "47", "保安族"
    YUGUR = "48", "裕固族"
    GIN = "49", "京族"
    TATAR = "50", "塔塔尔族"
    DERUNG = "51", "独龙族"
    OROQEN = "52", "鄂伦春族"
    HEZHEN = "53", "赫哲族"
    MONPA = "54", "门巴族"
    LHOBA = "55", "珞巴族"
    JINO = "56", "基诺族"
    UNIDENTIFIED = "97", "其他未识别民族"
    FOREIGN_ORIGIN = "98", "外国血统中国籍人士"

    @property
    def is_minority(self) -> bool:
        """少数民族 in the statistics: every 民族 but 汉族; the two other categories are not."""
        return self not in (Ethnicity.HAN, Ethnicity.UNIDENTIFIED, Ethnicity.FOREIGN_ORIGIN)


class Education(models.TextChoices):
    """学历, fine enough to sum into every band the statistics report (RULES.md §8)."""

    POSTGRADUATE = "postgraduate", "研究生"
    BACHELOR = "bachelor", "大学本科"
    JUNIOR_COLLEGE = "junior_college", "大学专科"
    SECONDARY_SPECIALIZED = "secondary_specialized", "中专"
    HIGH_SCHOOL = "high_school", "高中、中技"
    JUNIOR_HIGH = "junior_high", "初中"
    PRIMARY_OR_BELOW = "primary_or_below", "小学及以下"

    @property
    def is_college_or_above(self) -> bool:
        """大专及以上, the share the 党内统计公报 reports."""
        return self in (Education.POSTGRADUATE, Education.BACHELOR, Education.JUNIOR_COLLEGE)


class Degree(models.TextChoices):
    """学位."""

    DOCTOR = "doctor", "博士"
    MASTER = "master", "硕士"
    BACHELOR = "bachelor", "学士"
    NONE = "none", "无"


class Occupation(models.TextChoices):
    """职业 as the 党内统计公报 reports it (RULES.md §8)."""

    WORKER = "worker", "工人（工勤技能人员）"
    FARMER = "farmer", "农牧渔民"
    PROFESSIONAL = "professional", "企事业单位、社会组织专业技术人员"
    MANAGER = "manager", "企事业单位、社会组织管理人员"
    OFFICIAL = "official", "党政机关工作人员"
    STUDENT = "student", "学生"
    OTHER = "other", "其他职业人员"
    RETIRED = "retired", "离退休人员"
