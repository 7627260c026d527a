package web

// Role is who a live map client is, as its token says.
type Role string

// The roles of live map clients.
const (
	RoleCenter     Role = "center"     // the operations center: every incident
	RoleInspector  Role = "inspector"  // an inspector, who verifies work anywhere in the city: every incident
	RoleDepartment Role = "department" // one department: its own incidents
	RolePublic     Role = "public"     // no token: counts of whole coarse H3 cells only
)

// View is what one live map client may see.
type View struct {
	Role       Role
	Department string // the department's id when Role is RoleDepartment
	Inspector  string // the inspector's id when Role is RoleInspector
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

// valid reports whether v is a view the server can serve.
func (v View) valid() bool {
	switch v.Role {
	case RoleCenter, RolePublic:
		return true
	case RoleInspector:
		return v.Inspector != ""
	case RoleDepartment:
		return v.Department != ""
	}
	return false
}

// sees reports whether the view may see an incident of department dept.
func (v View) sees(dept string) bool {
	return v.Role != RoleDepartment || dept == v.Department
}
