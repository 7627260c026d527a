package privacy

import "testing"

// complaint is a hotline complaint as operators type it: a mobile, a
// landline with its area code, an e-mail, an ID number, and the dates,
// times, amounts and house numbers that must stay.
const complaint = "市民来电反映：鼓楼街12号小区门口垃圾堆放三天无人清运，2026-12-03 08:30 再次来电。" +
	"联系电话13812345678，备用电话021-12345678，邮箱zhang.san@example.com，身份证号110101199003071234。" +
	"物业费已交1,280.50元，邮编230001，工单INC-20261203-0042，要求尽快处理并回电。"

func BenchmarkMaskText(b *testing.B) {
	b.SetBytes(int64(len(complaint)))
	for b.Loop() {
		MaskText(complaint)
	}
}

// BenchmarkMaskTextClean is a complaint without personal data, as most
// are: it is returned as it came, without allocating.
func BenchmarkMaskTextClean(b *testing.B) {
	const clean = "鼓楼街12号小区门口垃圾堆放三天无人清运，2026-12-03 08:30 再次来电，工单INC-20261203-0042，邮编230001。"
	b.SetBytes(int64(len(clean)))
	for b.Loop() {
		MaskText(clean)
	}
}

func BenchmarkMaskURL(b *testing.B) {
	const u = "https://media.example.test/u/13512345678/p.jpg?tel=%2B86%20139%201234%205678&mail=wang%40example.com&w=640"
	for b.Loop() {
		MaskURL(u)
	}
}
