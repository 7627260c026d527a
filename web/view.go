package web

// Role is who a live map client is, as its token says.
type Role string

// The roles of live map clients.
const (
	RoleCenter     Role = "center"     // the operations center and inspectors: every incident
	RoleDepartment Role = "department" // one department: its own incidents
	RolePublic     Role = "public"     // no token: H3 cell counts only
)

// View is what one live map client may see.
type View struct {
	Role       Role
	Department string // the department's id when Role is RoleDepartment
}

// publicView is the view of a client without a token.
var publicView = View{Role: RolePublic}

// Authenticate returns the view a token grants, and false for a token it
// does not know. It is called for every connection that gives a token, so it
// must be safe for concurrent use and should compare tokens in constant time.
type Authenticate func(token string) (View, bool)

// counterScope is the scope of the counters a view is sent.
func (v View) counterScope() string {
	if v.Role == RoleDepartment {
		return "department:" + v.Department
	}
	return "city"
}

// sees reports whether the view may see an incident of department dept.
func (v View) sees(dept string) bool {
	return v.Role != RoleDepartment || dept == v.Department
}
