package privacy

import (
	"regexp"

	"github.com/cityops/cityops"
)

// Personal data that callers put into free text: mainland mobile numbers,
// North American phone numbers, e-mail addresses and resident ID numbers.
var (
	mobileRE = regexp.MustCompile(`(^|\D)(1[3-9]\d)(\d{4})(\d{4})(\D|$)`)
	naPhone  = regexp.MustCompile(`(^|\D)(\(?\d{3}\)?[ .-]?)(\d{3})([ .-]?)(\d{4})(\D|$)`)
	emailRE  = regexp.MustCompile(`([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*(@[A-Za-z0-9.-]+\.[A-Za-z]{2,})`)
	idCardRE = regexp.MustCompile(`(^|\D)(\d{6})(\d{8})(\d{3}[\dXx])(\D|$)`)
)

// MaskText masks personal data in free text: 13812341234 becomes
// 138****1234, an e-mail keeps its first letter and domain, an ID number its
// region and check digits. Masking happens at intake, so no topic, table or
// screen downstream ever holds the original. Masking is idempotent:
// MaskText(MaskText(s)) == MaskText(s).
func MaskText(s string) string {
	s = idCardRE.ReplaceAllString(s, "$1$2********$4$5")
	s = mobileRE.ReplaceAllString(s, "$1$2****$4$5")
	s = naPhone.ReplaceAllString(s, "$1$2***$4$5$6")
	s = emailRE.ReplaceAllString(s, "$1***$2")
	return s
}

// MaskEvent masks every free-text field of an event in place: the text, the
// reporter's type, the unit and the device id. The event's id is left alone:
// intake refuses ids that carry personal data rather than change them.
func MaskEvent(ev *cityops.Event) {
	ev.Text = MaskText(ev.Text)
	ev.Type = MaskText(ev.Type)
	ev.Unit = MaskText(ev.Unit)
	ev.DeviceID = MaskText(ev.DeviceID)
}
