// Account field rules, shared so the console validates exactly as the server does.

export const USERNAME_PATTERN = /^[A-Za-z0-9._-]{3,50}$/;
export const USERNAME_RULE = 'must be 3 to 50 letters, digits, ".", "_" or "-"';
export const DISPLAY_NAME_MAX = 100;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 200;
export const API_KEY_NAME_MAX = 100;
