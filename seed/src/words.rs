//! Word lists the benchmark data is drawn from: names, nicknames, places, companies. Small on
//! purpose: combinations of them make the variety.

/// Common surnames (the first hundred of 百家姓 by frequency, a few double ones).
pub const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏",
    "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "闫", "段", "雷", "侯",
    "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵", "万", "钱", "严", "武", "戴", "莫",
    "欧阳", "司马", "上官", "诸葛",
];

/// Characters of children's given names.
pub const CHILD_CHARS: &[&str] = &[
    "子", "梓", "浩", "宇", "轩", "涵", "欣", "怡", "雨", "泽", "博", "文", "俊", "杰", "思", "睿",
    "嘉", "佳", "一", "诺", "明", "晨", "昊", "天", "航", "若", "可", "馨", "雅", "琪", "梦", "瑶",
    "诗", "语", "嫣", "锦", "程", "奕", "辰", "乐", "萱", "沐", "阳", "皓", "承", "铭", "书", "悦",
    "依", "彤", "婉", "清", "逸", "凡", "墨", "安", "然", "熙", "煜", "宸", "芷", "晴", "朵", "恩",
];

/// Characters of adults' given names.
pub const ADULT_CHARS: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "超",
    "明", "霞", "秀", "平", "刚", "桂", "英", "华", "玉", "兰", "萍", "红", "鹏", "飞", "斌", "辉",
    "建", "国", "志", "海", "燕", "琳", "晓", "东", "亮", "峰", "雪", "梅", "林", "波", "宁", "婷",
];

/// WeChat nicknames, as people pick them (emoji and Latin included).
pub const NICKNAMES: &[&str] = &[
    "快乐星球",
    "小鱼儿",
    "阳光宝贝",
    "Sunny",
    "Lucky",
    "🌸花开半夏",
    "A.晴天",
    "静待花开",
    "岁月静好",
    "云淡风轻",
    "奔跑的蜗牛",
    "Coco",
    "编程小达人",
    "Scratch 迷",
    "Python_Kid",
    "向日葵🌻",
    "追风少年",
    "小太阳",
    "蓝色天空",
    "Mr.Li",
    "Amy",
    "橙子🍊",
    "一只喵",
    "木木",
    "知足常乐",
    "默默",
    "大白",
    "Jason",
    "🍀四叶草",
    "海阔天空",
    "小确幸",
    "简单点",
    "星星点灯",
    "Kevin",
    "浅笑安然",
    "Alice",
    "布丁",
    "糖糖",
    "叮当猫",
    "豆豆",
    "旺仔",
    "⭐️小星星",
    "Tony",
    "平安喜乐",
    "好好学习",
    "天天向上",
    "随遇而安",
    "Grace",
    "Linda",
    "风清扬",
];

/// What a nickname may end with: parents often name themselves after the child.
pub const NICK_SUFFIXES: &[&str] = &["", "", "", "", "妈妈", "爸爸", "麻麻", "2012", "88", "_"];

/// Real mobile prefixes (China Mobile, Unicom, Telecom). 138, 139 and 185 are left out: the demo
/// data's numbers use them, and the payers' numbers must not collide with them.
pub const MOBILE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "134", "135", "136", "137", "147", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "166", "170", "171", "173", "175", "176", "177", "178",
    "180", "181", "182", "183", "184", "186", "187", "188", "189", "191", "193", "195", "196",
    "197", "198", "199",
];

/// Cities of the CRM's users.
pub const CITIES: &[&str] = &[
    "深圳", "北京", "上海", "广州", "杭州", "成都", "武汉", "南京", "西安", "重庆", "苏州", "天津",
    "长沙", "郑州", "东莞", "青岛", "沈阳", "宁波", "昆明", "合肥", "厦门", "福州",
];

/// Learning progress names.
pub const EXTENTS: &[&str] = &["Python", "Scratch", "C++", "Python 进阶", "Scratch 进阶"];

/// Remarks staff leave on a payer.
pub const REMARKS: &[&str] = &[
    "家长希望周末上课",
    "已加微信, 下周回访",
    "孩子对机器人感兴趣",
    "价格敏感, 等活动",
    "老学员介绍",
    "上过两节试听课",
    "要求固定老师",
    "暑假集中学习",
];

/// What a visit record says.
pub const VISITS: &[&str] = &[
    "电话回访, 家长满意",
    "微信沟通课程进度",
    "到店试听",
    "续费意向强",
    "暂无续费计划",
    "推荐了进阶课程",
    "家长反馈作业偏多",
    "未接通, 改日再打",
];

/// Courses added beside the demo's two.
pub const COURSES: &[&str] = &[
    "Python 进阶",
    "C++ 算法竞赛",
    "机器人编程",
    "数学思维",
    "Web 前端入门",
];

/// Report title parts.
pub const REPORT_TOPICS: &[&str] = &[
    "半导体",
    "集成电路",
    "晶圆代工",
    "存储芯片",
    "功率器件",
    "汽车电子",
    "消费电子",
    "显示面板",
    "新能源",
    "光伏",
    "5G 通信",
    "人工智能芯片",
    "封装测试",
    "EDA 工具",
    "MCU",
    "传感器",
];
/// Report kinds.
pub const REPORT_KINDS: &[&str] = &[
    "行业研究报告",
    "市场分析报告",
    "投资价值报告",
    "产业白皮书",
    "季度观察",
];

/// Company name parts.
pub const COMPANY_WORDS: &[&str] = &[
    "华芯",
    "中微",
    "海创",
    "博通达",
    "芯源",
    "恒泰",
    "智联",
    "新锐",
    "盛达",
    "联创",
    "天成",
    "卓越",
    "金桥",
    "鼎盛",
    "瑞丰",
    "汇智",
    "星辰",
    "凯越",
    "长兴",
    "宏图",
];
/// Company kinds.
pub const COMPANY_KINDS: &[&str] = &[
    "科技有限公司",
    "半导体有限公司",
    "电子股份有限公司",
    "投资管理有限公司",
    "微电子有限公司",
    "信息技术有限公司",
];
/// Job titles on whitelists.
pub const POSITIONS: &[&str] = &[
    "工程师",
    "高级工程师",
    "产品经理",
    "研发总监",
    "分析师",
    "采购经理",
    "总经理",
    "销售总监",
    "投资经理",
    "php",
    "市场专员",
    "董事长助理",
];

/// Restaurant name parts of the merchant back office.
pub const SHOP_STYLES: &[&str] = &[
    "川菜馆",
    "湘菜馆",
    "粤式茶餐厅",
    "生鲜超市",
    "面馆",
    "烧烤",
    "火锅店",
    "快餐",
    "饺子馆",
    "麻辣烫",
    "牛肉粉",
    "粥铺",
    "私房菜",
    "食堂",
    "水果店",
];
/// Branch suffixes.
pub const BRANCHES: &[&str] = &["", "", "", "(总店)", "(一分店)", "(二分店)", "(旗舰店)"];
/// Street names.
pub const ROADS: &[&str] = &[
    "深南大道",
    "红荔路",
    "华强北路",
    "福华路",
    "滨河大道",
    "人民南路",
    "东门中路",
    "建设路",
    "长安街",
    "学院路",
    "工业大道",
    "振兴路",
    "新城路",
    "环城路",
];
