// Random requests for the guard: methods, paths, headers (junk bytes, huge values), bodies.
// Deterministic for a seed (xorshift), so a failure can be replayed.

export function rng(seed) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x / 0x100000000;
  };
  const int = (n) => Math.floor(next() * n);
  const pick = (list) => list[int(list.length)];
  return { next, int, pick };
}

const METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE", "FOO", "PROPFIND", "get", "Post", "X-Y_Z"];
const SEGMENTS = ["api", "posts", "comments", "tags", "me", "publish", "reports", "health", "token", "refresh", "1", "2", "999", "-1",
  "abc", "%20", "%ZZ", "%", "%2F", "%00", "..", ".", "1.json", "%E2%98%83", "%FF", "0x1", "1_0", "9".repeat(30), ""];
const SCHEMES = ["Token", "Bearer", "Basic", "token", "bearer", "JWT", "Digest", ""];

function junk(r, length) {
  let s = "";
  for (let i = 0; i < length; i++) {
    let c = 1 + r.int(255);
    if (c === 10 || c === 13) c = 32; // the Fetch API refuses CR/LF in values
    s += String.fromCharCode(c);
  }
  return s.trim() || "x";
}

function b64url(r, length) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=";
  let s = "";
  for (let i = 0; i < length; i++) s += alphabet[r.int(alphabet.length)];
  return s;
}

function value(r) {
  switch (r.int(6)) {
    case 0: return junk(r, 1 + r.int(40));
    case 1: return junk(r, 1000 + r.int(16000)); // huge
    case 2: return b64url(r, 10 + r.int(300));
    case 3: return `${b64url(r, 36)}.${b64url(r, 80)}.${b64url(r, 43)}`;
    case 4: return "eyJhbGciOiJIUzI1NiJ9." + Buffer.from(junk(r, 30), "latin1").toString("base64url") + ".sig";
    default: return String(r.int(1e6));
  }
}

const ROUTES = ["/api/posts/", "/api/posts/{pk}/", "/api/posts/{pk}/publish/", "/api/comments/", "/api/comments/{pk}/",
  "/api/tags/", "/api/tags/{pk}/", "/api/reports/posts/{pk}/", "/api/me/", "/api/health/", "/api/"];

function randomPath(r) {
  if (r.next() < 0.6) {
    // A route of the API, with any lookup value.
    const pk = r.next() < 0.5 ? r.pick(SEGMENTS.filter((s) => s && !s.includes("/") && s !== "." && s !== "..")) : encodeURIComponent(junk(r, 1 + r.int(12)));
    return r.pick(ROUTES).replace("{pk}", pk);
  }
  const depth = 1 + r.int(5);
  const segments = [];
  for (let i = 0; i < depth; i++) segments.push(r.next() < 0.6 ? r.pick(SEGMENTS) : encodeURIComponent(junk(r, 1 + r.int(12))));
  return (r.next() < 0.8 ? "/api/" : "/") + segments.join("/") + (r.next() < 0.7 ? "/" : "");
}

/**
 * One random request: `{ method, path, headers, body }`. `known` lists real credentials (header
 * sets): some requests start from one, so authentication succeeds and later stages run.
 */
export function randomRequest(r, known = []) {
  let path = randomPath(r);
  if (r.next() < 0.2) path += "?" + encodeURIComponent(junk(r, 1 + r.int(30)));
  const headers = known.length && r.next() < 0.4 ? { ...r.pick(known) } : {};
  const n = r.int(5);
  for (let i = 0; i < n; i++) {
    switch (r.int(7)) {
      case 0: headers.authorization = `${r.pick(SCHEMES)} ${value(r)}`; break;
      case 1: headers.authorization = value(r); break;
      case 2: headers.cookie = `sessionid=${value(r)}; csrftoken=${value(r)}`; break;
      case 3: headers["x-csrftoken"] = value(r); break;
      case 4: headers.origin = r.pick(["null", "https://blog.example.com", "http://127.0.0.1", value(r)]); break;
      case 5: headers.referer = value(r); break;
      default: headers["content-type"] = r.pick(["application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", value(r)]);
    }
  }
  const method = r.pick(METHODS);
  const body = ["GET", "HEAD"].includes(method.toUpperCase()) || r.next() < 0.3 ? undefined : junk(r, r.int(2000));
  return { method, path, headers, body };
}
