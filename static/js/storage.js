// Seats kept in localStorage, one key per room code: a reload, a phone that slept or another
// tab brings the same person back to the same seat.

const PREFIX = "exploria:"; // same keys as the studio (exploria:facilitator:CODE)

function get(key) {
  try {
    return window.localStorage.getItem(PREFIX + key);
  } catch {
    return null; // private mode or storage disabled: the seat lasts as long as the page
  }
}

function set(key, value) {
  try {
    if (value === null) window.localStorage.removeItem(PREFIX + key);
    else window.localStorage.setItem(PREFIX + key, value);
  } catch {
    /* ignore */
  }
}

export const seats = {
  facilitator: (code) => get(`facilitator:${code}`),
  setFacilitator: (code, token) => set(`facilitator:${code}`, token),
  player: (code) => get(`player:${code}`),
  setPlayer: (code, token) => set(`player:${code}`, token),
};
