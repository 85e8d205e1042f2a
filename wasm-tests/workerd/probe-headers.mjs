// What a Worker sees of raw HTTP header lines in real workerd (Miniflare): empty values, a
// repeated line, names with `_`, surrounding whitespace, bytes beyond ASCII. Prints one JSON
// line per request: the lines sent and the `request.url` and headers the Worker saw.
import net from "node:net";
import { Log, LogLevel, Miniflare } from "miniflare";

const script = `export default { async fetch(request) {
  const headers = [];
  request.headers.forEach((value, name) => headers.push([name, value]));
  return Response.json({ url: request.url, headers });
} };`;
const mf = new Miniflare({ modules: true, script, compatibilityDate: "2024-09-23", host: "127.0.0.1", port: 0, log: new Log(LogLevel.NONE) });
const url = await mf.ready;

function send(lines) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname);
    const chunks = [];
    socket.on("data", (c) => chunks.push(c));
    socket.on("end", () => resolve(Buffer.concat(chunks).toString("latin1")));
    socket.on("error", reject);
    socket.write(Buffer.from(["GET /p HTTP/1.1", ...lines, "Connection: close", "", ""].join("\r\n"), "latin1"));
  });
}

const probes = [
  ["Host: example.com", "User-Agent:", "Accept:", "X-CSRFToken:", "Authorization: "],
  ["Host:"],
  ["Host: example.com", "X-A: 1", "X-A: 2", "Cookie: a=1", "Cookie: b=2", "Authorization: Token a", "Authorization: Token b"],
  ["Host: example.com", "X_Foo: 1", "X-Foo: 2"],
  ["Host: example.com", "X-A:   padded \t ", "X-B:\tx"],
  ["Host: example.com", "X-A: caf\xe9", "X-B: caf\xc3\xa9", "X-C: a\x7fb"],
  ["Host: example.com", "Origin:", "Cookie:", "Content-Type:", "Referer:", "X-Forwarded-Proto:", "Access-Control-Request-Method:",
   "X-Remote-User:", "X-Forwarded-Host:", "X-Requested-With:", "Content-Length:", "X-Api-Key:", "Accept-Language:", "X-Scheme:",
   "Access-Control-Request-Headers:", "Access-Control-Request-Private-Network:", "X-Forwarded-Port:", "Remote-User:", "X-Xsrf-Token:"],
  ["Host: example.com", "X-CSRFToken: tok ", "Authorization: Token abc\t", "Cookie: a=1 ", "User-Agent:  ua  "],
  // An empty line beside a value: dropped only while no value came before it (`sessionid=abc`),
  // joined as ", " after one (`sessionid=abc, `); Django's servers join every line with ",".
  ["Host: example.com", "Cookie:", "Cookie: sessionid=abc"],
  ["Host: example.com", "Cookie: sessionid=abc", "Cookie:"],
  ["Host: example.com", "Cookie: a=1", "Cookie:", "Cookie: b=2"],
  ["Host: example.com", "Authorization:", "Authorization: Token abc"],
  ["Host: example.com", "X-CSRFToken:", "X-CSRFToken: tok"],
];
for (const lines of probes) {
  const answer = await send(lines);
  const status = answer.split("\r\n")[0];
  const body = answer.split("\r\n\r\n").slice(1).join("\r\n\r\n");
  console.log(JSON.stringify({ sent: lines, status, seen: body.slice(0, 600) }));
}
await mf.dispose();
