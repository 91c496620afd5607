/**
 * Words the generator builds its company from: Chinese and English company names,
 * regions, segments and the product catalog. Plain data, so the generated
 * records read like a real ERP's and search has real words to find.
 */
import type { Random } from './random.ts';

/** Regions with their share of customers; 海外 buys less often but in larger orders. */
export const REGIONS = [
  ['华东', 0.34],
  ['华北', 0.22],
  ['华南', 0.24],
  ['西部', 0.12],
  ['海外', 0.08],
] as const;
export type Region = (typeof REGIONS)[number][0];

/** Customer segments with their share and the discount they get off list price. */
export const SEGMENTS = [
  ['企业', 0.3, 0.88],
  ['中小企业', 0.45, 0.97],
  ['政府', 0.1, 0.92],
  ['教育', 0.15, 0.9],
] as const;
export type Segment = (typeof SEGMENTS)[number][0];

const CITIES: Record<Region, readonly string[]> = {
  华东: ['上海', '杭州', '南京', '苏州', '宁波', '合肥', '无锡', '福州', '济南', '青岛'],
  华北: ['北京', '天津', '石家庄', '太原', '呼和浩特', '唐山', '保定'],
  华南: ['广州', '深圳', '东莞', '佛山', '厦门', '南宁', '海口', '珠海'],
  西部: ['成都', '重庆', '西安', '昆明', '贵阳', '兰州', '乌鲁木齐', '拉萨'],
  海外: ['新加坡', '香港', '东京', '首尔', '悉尼', '伦敦', '法兰克福', '旧金山'],
};
const ZH_CORES = [
  '华信', '恒通', '瑞丰', '金桥', '宏达', '新锐', '天成', '鼎盛', '远航', '博源', '中联', '嘉禾', '创智', '海川', '锦程',
  '融创', '长风', '明德', '永泰', '盛世', '星河', '东方', '云启', '万象', '鸿运', '启明', '安泰', '汇丰', '正和', '百川',
];
const ZH_TRADES = ['科技', '信息技术', '贸易', '制造', '物流', '电子', '软件', '机械', '医疗器械', '教育科技', '建设', '咨询', '食品', '新能源', '网络'];
const ZH_SUFFIXES = ['有限公司', '股份有限公司', '集团有限公司', '有限责任公司'];
const EN_CORES = [
  'Blue River', 'Northwind', 'Silverline', 'Redwood', 'Summit', 'Harbor', 'Pioneer', 'Evergreen', 'Bright Star', 'Golden Gate',
  'Crescent', 'Ironclad', 'Maple', 'Oceanic', 'Pacific Rim', 'Quantum', 'Sterling', 'Trident', 'Vertex', 'Westbridge',
];
const EN_TRADES = ['Technologies', 'Logistics', 'Trading', 'Manufacturing', 'Electronics', 'Software', 'Systems', 'Medical', 'Consulting', 'Energy'];
const EN_SUFFIXES = ['Ltd.', 'Inc.', 'Co., Ltd.', 'Group', 'Pte. Ltd.', 'GmbH'];

/** A company name: Chinese mostly at home, English mostly abroad (and for some foreign-invested firms at home). */
export function companyName(random: Random, region: Region): string {
  const english = region === '海外' ? random.chance(0.75) : random.chance(0.12);
  if (english) return `${random.pick(EN_CORES)} ${random.pick(EN_TRADES)} ${random.pick(EN_SUFFIXES)}`;
  return `${random.pick(CITIES[region])}${random.pick(ZH_CORES)}${random.pick(ZH_TRADES)}${random.pick(ZH_SUFFIXES)}`;
}

export interface CategorySpec {
  code: string;
  name: string;
  /** Share of order lines. */
  share: number;
  /** List price range in yuan. */
  price: readonly [number, number];
  /** Typical quantity per order line (geometric mean). */
  quantity: number;
  items: readonly string[];
}

/** The catalog's categories; each product is one of `items` with a model line. */
export const CATEGORIES: readonly CategorySpec[] = [
  { code: 'PC', name: '电脑整机', share: 0.16, price: [3200, 18000], quantity: 3, items: ['笔记本电脑 Laptop', '台式机 Desktop', '工作站 Workstation', '一体机 All-in-One'] },
  { code: 'NET', name: '网络设备', share: 0.12, price: [300, 42000], quantity: 4, items: ['交换机 Switch', '路由器 Router', '防火墙 Firewall', '无线接入点 Access Point'] },
  { code: 'OFF', name: '办公设备', share: 0.14, price: [600, 26000], quantity: 2, items: ['激光打印机 Laser Printer', '投影仪 Projector', '复印机 Copier', '扫描仪 Scanner'] },
  { code: 'SW', name: '软件服务', share: 0.13, price: [800, 60000], quantity: 5, items: ['企业邮箱 Enterprise Mail', 'ERP 订阅 ERP Subscription', '杀毒软件 Antivirus', '云存储 Cloud Storage'] },
  { code: 'CON', name: '办公耗材', share: 0.2, price: [15, 900], quantity: 20, items: ['硒鼓 Toner', 'A4 复印纸 A4 Paper', '墨盒 Ink Cartridge', '标签纸 Labels'] },
  { code: 'FUR', name: '办公家具', share: 0.1, price: [350, 9000], quantity: 6, items: ['人体工学椅 Ergonomic Chair', '升降桌 Standing Desk', '文件柜 File Cabinet', '会议桌 Meeting Table'] },
  { code: 'MOB', name: '移动设备', share: 0.15, price: [1200, 12000], quantity: 4, items: ['手机 Smartphone', '平板电脑 Tablet', '蓝牙耳机 Bluetooth Headset', '智能手表 Smartwatch'] },
];

const MODEL_LINES = ['Pro', 'Max', 'Lite', 'Plus', 'Ultra', 'S', 'X', 'Air', 'Neo', 'Elite'];

/** A product of `category`: its name and list price. */
export function productOf(random: Random, category: CategorySpec): { name: string; price: number } {
  const item = random.pick(category.items);
  const name = `${item} ${random.pick(MODEL_LINES)} ${random.int(1, 9)}${random.int(0, 9)}0`;
  const [low, high] = category.price;
  // Log-uniform: many cheap models, a few expensive ones.
  const price = Math.exp(Math.log(low) + random.next() * (Math.log(high) - Math.log(low)));
  return { name, price: Math.round(price * 100) / 100 };
}
