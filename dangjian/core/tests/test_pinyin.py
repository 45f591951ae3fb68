import pytest

from dangjian.core.pinyin import name_keys


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("张三", "zhangsan", "zs"),
        ("曾国藩", "zengguofan", "zgf"),  # 曾 as a surname reads zeng, not ceng
        ("单雄信", "shanxiongxin", "sxx"),
        ("解缙", "xiejin", "xj"),
        ("长孙无忌", "zhangsunwuji", "zswj"),  # compound surname
        ("欧阳修", "ouyangxiu", "oyx"),
        ("李 四", "lisi", "ls"),  # stray spaces
    ],
)
def test_name_keys(name, full, initials):
    assert name_keys(name) == (full, initials)
