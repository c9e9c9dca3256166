// Seats kept in localStorage, one key per room code: a reload, a phone that slept or another
// tab brings the same person back to the same seat.

const PREFIX = "exploria:"; // shared with the studio (studio/*.js): one place for the keys

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

// the edit token of each custom deck made or opened in this browser (the studio)
export const deckTokens = {
  get: (id) => get(`deck-token:${id}`),
  set: (id, token) => set(`deck-token:${id}`, token),
  remove: (id) => set(`deck-token:${id}`, null),
};
