// i18n: the pages' words in Chinese and English. The language comes from
// localStorage (the switch), else from the browser.

const words = {
  zh: {
    map: '实时地图', inbox: '部门待办', planner: '规划分析',
    open: '未办结', overdue: '已超时', onTimeToday: '今日按时办结率',
    live: '已连接', down: '连接已断开', reconnecting: '连接已断开，{s} 秒后重连…', reconnected: '已重新连接',
    category: '类别', status: '状态', department: '部门', source: '来源', area: '区域', all: '全部',
    hotline: '热线', iot: '物联网', incidents: '事件', latest: '最新事件', none: '无',
    zoomIn: '放大地图（缩放 11 级以上）查看单个事件', detail: '事件详情', timeline: '处置时间线', close: '关闭', reported: '上报时间', deadline: '处置时限',
    severity: '等级', text: '描述', noTimeline: '暂无流转记录',
    signIn: '登录', token: '部门令牌', signOut: '退出', badToken: '令牌无效', anyToken: '令牌（指挥中心、督查员或部门）', publicNoFilters: '登录后可筛选',
    tasks: '任务', accept: '受理', start: '开始处置', returnTask: '退回', note: '进展', resolve: '办结',
    reason: '退回原因', evidence: '处置结果/证据', progress: '进展说明', send: '提交', cancel: '取消',
    left: '剩余', late: '超时', noTasks: '暂无任务', polling: '每 {s} 秒刷新',
    from: '开始', to: '结束', apply: '查询', trends: '趋势', heatmap: '热力图', departments: '部门绩效',
    hotspots: '高发点位', csv: '下载 CSV', bucket: '粒度', by: '分组', district: '区县', day: '天', hour: '小时', week: '周',
    closureRate: '办结率', onTimeRate: '按时率', returns: '退回', reworked: '返工', closeP50: '办结用时中位数',
    responseRate: '响应率', resolutionRate: '解决率', satisfactionRate: '满意率', repeats: '重复投诉', reopens: '重开',
    weeks: '周数', complaints: '投诉数', first: '首次', last: '最近', cell: '网格', cells: '个网格', loading: '加载中…', error: '出错',
    transitionsOf: '流转', actor: '操作者', time: '时间', count: '数量',
    reported_s: '已上报', registered: '已立案', dispatched: '已派遣', accepted: '已受理', in_progress: '处置中',
    resolved: '已办结', verified: '已核查', closed: '已结案', cancelled: '已作废',
    device: '设备', metric: '指标', state: '状态', last24h: '近 24 小时', noReadings: '暂无读数', signInForHistory: '登录后查看历史读数',
    state_alarm: '告警', state_elevated: '偏高', state_ok: '正常', state_offline: '离线', state_unknown: '未知',
    sensors: '传感器', step: '步长', auto: '自动', raw: '原始', minute: '分钟', points: '个点', sourceTable: '数据表',
  },
  en: {
    map: 'Live map', inbox: 'Department inbox', planner: 'Planner',
    open: 'open', overdue: 'overdue', onTimeToday: 'on time today',
    live: 'live', down: 'disconnected', reconnecting: 'Connection lost, reconnecting in {s} s…', reconnected: 'Reconnected',
    category: 'Category', status: 'Status', department: 'Department', source: 'Source', area: 'Area', all: 'all',
    hotline: 'hotline', iot: 'IoT', incidents: 'incidents', latest: 'Latest incidents', none: 'none',
    zoomIn: 'Zoom in (level 11 and closer) to see single incidents', detail: 'Incident', timeline: 'Timeline', close: 'Close', reported: 'Reported', deadline: 'Deadline',
    severity: 'Severity', text: 'Text', noTimeline: 'No transitions yet',
    signIn: 'Sign in', token: 'Department token', signOut: 'Sign out', badToken: 'The token was refused', anyToken: 'Token (center, inspector or department)', publicNoFilters: 'Sign in to filter',
    tasks: 'tasks', accept: 'Accept', start: 'Start', returnTask: 'Return', note: 'Progress', resolve: 'Resolve',
    reason: 'Reason', evidence: 'Result / evidence', progress: 'Progress note', send: 'Send', cancel: 'Cancel',
    left: 'left', late: 'late', noTasks: 'No tasks', polling: 'refreshed every {s} s',
    from: 'From', to: 'To', apply: 'Show', trends: 'Trends', heatmap: 'Heatmap', departments: 'Department performance',
    hotspots: 'Hotspots', csv: 'CSV', bucket: 'Bucket', by: 'By', district: 'District', day: 'day', hour: 'hour', week: 'week',
    closureRate: 'closed', onTimeRate: 'on time', returns: 'returns', reworked: 'reworked', closeP50: 'median time to close',
    responseRate: 'response', resolutionRate: 'resolution', satisfactionRate: 'satisfaction', repeats: 'repeat complaints', reopens: 'reopenings',
    weeks: 'weeks', complaints: 'complaints', first: 'first', last: 'last', cell: 'cell', cells: 'cells', loading: 'Loading…', error: 'Error',
    transitionsOf: 'transitions', actor: 'actor', time: 'time', count: 'count',
    reported_s: 'reported', registered: 'registered', dispatched: 'dispatched', accepted: 'accepted', in_progress: 'in progress',
    resolved: 'resolved', verified: 'verified', closed: 'closed', cancelled: 'cancelled',
    device: 'Device', metric: 'Metric', state: 'State', last24h: 'Last 24 hours', noReadings: 'no readings', signInForHistory: 'Sign in to see its readings',
    state_alarm: 'alarm', state_elevated: 'elevated', state_ok: 'ok', state_offline: 'offline', state_unknown: 'unknown',
    sensors: 'Sensors', step: 'Step', auto: 'auto', raw: 'raw', minute: 'minute', points: 'points', sourceTable: 'table',
  },
};

const key = 'cityops.lang';

export let lang = pickLang();

function pickLang() {
  const saved = localStorage.getItem(key);
  if (saved === 'zh' || saved === 'en') return saved;
  return (navigator.language || 'en').toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

// t returns the word for k in the current language, with {name} filled in.
export function t(k, vars) {
  let s = words[lang][k] ?? words.en[k] ?? k;
  for (const [n, v] of Object.entries(vars || {})) s = s.replace('{' + n + '}', v);
  return s;
}

// statusName names a status; "reported" is also a field label, hence the suffix.
export function statusName(s) {
  return t(s === 'reported' ? 'reported_s' : s);
}

// named picks the name of a city record (area, department) in the current language.
export function named(rec) {
  if (!rec) return '';
  return (lang === 'en' ? rec.name_en || rec.name : rec.name || rec.name_en) || rec.id || rec.code || '';
}

// setLang switches the language and re-renders the page through onChange.
export function setLang(l, onChange) {
  lang = l;
  localStorage.setItem(key, l);
  document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
  translate(document);
  onChange?.();
}

// translate fills every [data-i18n] element with its word.
export function translate(root) {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
}
