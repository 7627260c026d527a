package sim

// complaints are hotline texts a city hears, by the category their words
// point to. Some carry a phone number, as callers' texts do, so that masking
// can be seen to work.
var complaints = [][]string{
	{"路口积水很深，车辆无法通行", "小区门口积水没过脚踝", "The underpass is flooded after the rain", "Standing water across the whole bike lane"},
	{"人行道上井盖不见了，很危险", "井盖松动，车压过去咣咣响", "A manhole cover is missing near the school gate"},
	{"小区门口垃圾堆了三天没人清理", "垃圾桶满了溢出来，味道很大，联系电话13912345678", "Garbage piled up behind the market", "Trash bags left on the corner for days"},
	{"楼下饭店油烟直排，熏得没法开窗", "Cooking fumes from the restaurant downstairs fill our flat"},
	{"工地夜间施工噪音太大", "广场舞音响太吵了，晚上十点还没停", "Loud music from the bar every night", "Noise from the construction site after midnight"},
	{"路边有人摆摊卖水果，占了半条路", "早市小贩占道经营，行人只能走机动车道", "Street vendors blocking the sidewalk"},
	{"车辆乱停，堵住了消防通道", "违停车辆占了盲道，电话 186 1234 5678", "Illegal parking blocking my driveway", "Double parked trucks on the main road"},
	{"这段路灯不亮已经一周了", "The street light outside number 12 is out"},
	{"电线杆上贴满了小广告", "Flyers pasted all over the bus shelter"},
	{"台风后行道树倒伏压住了人行道", "A fallen tree branch is blocking the road"},
	{"施工占道没有围挡，晚上看不清", "Construction site has taken over a traffic lane"},
	{"路面破损有个大坑，电动车容易摔", "道路塌陷了一块，已经有人摔倒", "A deep pothole on the main road"},
	{"请问社区卫生服务中心几点开门？", "咨询一下居住证怎么办理", "How do I apply for a residential parking permit?"},
	{"紧急！井盖没了，有人受伤", "紧急：路上积水很深，有车熄火"},
}
