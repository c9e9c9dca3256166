// A tiny DOM builder. Data is only ever set as text (textContent) or attribute values, never
// parsed as HTML, so names, notes and card texts cannot inject markup or script.

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else if (key === "hidden" || key === "disabled" || key === "checked") node[key] = Boolean(value);
    else if (key === "value") node.value = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else if (child instanceof Node) node.appendChild(child);
    else node.appendChild(document.createTextNode(String(child)));
  }
}

export function readJson(id, fallback = null) {
  const block = document.getElementById(id);
  if (!block) return fallback;
  try {
    return JSON.parse(block.textContent);
  } catch {
    return fallback;
  }
}

export function showError(node, message) {
  node.textContent = message || "";
  node.hidden = !message;
}
