// Who is signed in and what the role may do (from /dashboard/api/me): views and buttons
// the role may not use are not shown at all.

let current = { user: "", role: "", permissions: [] };

export function setSession(me) {
  current = me;
  document.body.dataset.role = me.role;
}

export const session = () => current;

/** True when the signed-in role grants `permission` ("read", "trade", "risk", "audit", "admin"). */
export const can = (permission) => current.permissions.includes(permission);
