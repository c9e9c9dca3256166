// The deck checks made in the browser, driven by the JSON Schema the server publishes
// (/api/schema/deck.json, built from the same pydantic models that validate a deck): required
// fields, lengths, identifiers, colours and list sizes are read from it, not written again here.
// The rules that span fields (duplicate ids, unknown themes, a criterion for a yes/no question)
// are the server's (POST /api/validate/deck), shown in the same problems panel.

let schema = null;

/** Fetches the schema once; without it, every check is left to the server. */
export async function loadSchema(url = '/api/schema/deck.json') {
  try {
    const res = await fetch(url, { headers: { Accept: 'application/json' } });
    if (res.ok) schema = await res.json();
  } catch {
    schema = null;
  }
}

function resolve(node) {
  let n = node;
  while (n && n.$ref) n = schema.$defs[n.$ref.split('/').pop()];
  return n;
}

/** The branch of a nullable field (anyOf [thing, null]) that is not null. */
function concrete(node) {
  const n = resolve(node);
  if (n && Array.isArray(n.anyOf)) return resolve(n.anyOf.find((x) => x.type !== 'null')) || n;
  return n;
}

/** ``problem(path, code, params)`` for each value of ``data`` the schema refuses. */
export function schemaProblems(data, problem) {
  const out = [];
  if (!schema) return out;
  const add = (path, code, params = {}) => out.push(problem(path, code, params));
  walk(data, schema, '', add);
  return out;
}

function walk(value, node, path, add) {
  const n = concrete(node);
  if (!n) return;
  if (value === null || value === undefined) return; // absent optional fields: see ``required``
  if (n.type === 'object' && typeof value === 'object' && !Array.isArray(value)) {
    for (const key of n.required || []) {
      const v = value[key];
      if (v === undefined || v === null || (typeof v === 'string' && !v.trim())) {
        add(path ? `${path}.${key}` : key, 'empty');
      }
    }
    for (const [key, sub] of Object.entries(n.properties || {})) {
      if (value[key] !== undefined) walk(value[key], sub, path ? `${path}.${key}` : key, add);
    }
  } else if (n.type === 'array' && Array.isArray(value)) {
    if (n.minItems !== undefined && value.length < n.minItems) add(path, 'too_few', { limit: n.minItems });
    if (n.maxItems !== undefined && value.length > n.maxItems) add(path, 'too_many', { limit: n.maxItems });
    value.forEach((item, i) => walk(item, n.items, `${path}[${i}]`, add));
  } else if (n.type === 'string') {
    if (typeof value !== 'string') add(path, 'empty');
    else if (!value.trim() && n.minLength) return; // reported once, as a required field
    else if (n.maxLength !== undefined && value.length > n.maxLength) add(path, 'too_long', { limit: n.maxLength });
    else if (n.pattern && !new RegExp(n.pattern).test(value)) add(path, 'pattern', { pattern: n.pattern });
  }
}
