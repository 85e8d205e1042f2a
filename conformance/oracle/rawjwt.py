"""Hand-written JWTs for the `edge:jwt-forms` family: the header and payload are JSON *texts*
(duplicate keys, non-ASCII, floats, odd types survive as written), signed with the case's
SIMPLE_JWT algorithm and key, then optionally mangled on the wire (padding, the standard base64
alphabet, junk characters). Only real DRF decides what such a token means.

A template reaches the harness as `{jwt:tmpl=<urlsafe base64 of JSON>}` (see `template`)."""
import base64
import json

from jwt.algorithms import get_default_algorithms


def template(payload, header=None, mangle=(), sign=None, encoding=None, header_encoding=None):
    """The `{jwt:...}` argument for a token with this payload text (placeholders `$UID`, `$NOW`,
    `$EXP`, `$JTI`), header text (default `{"alg":"<configured>","typ":"JWT"}`), wire mangles,
    signing algorithm (default: the configured one; "none": an empty signature) and the codecs
    the payload and header texts are encoded with (default UTF-8; `json.loads` of bytes detects
    UTF-16 and UTF-32; `codec|<hex>` appends bytes to the payload, `codec|-` cuts its last)."""
    spec = {"payload": payload, "header": header, "mangle": list(mangle), "sign": sign}
    if encoding:
        spec["encoding"] = encoding
    if header_encoding:
        spec["headerEncoding"] = header_encoding
    text = base64.urlsafe_b64encode(json.dumps(spec).encode()).decode().rstrip("=")
    return "tmpl=" + text


def _seg(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def build(arg, user, alg, key, now, jti):
    """The token for a `tmpl=` argument (see `template`)."""
    spec = json.loads(base64.urlsafe_b64decode(arg + "=" * (-len(arg) % 4)))
    subst = {"$UID": str(user.id), "$NOW": str(now), "$EXP": str(now + 300), "$JTI": jti}

    def fill(text):
        for k, v in subst.items():
            text = text.replace(k, v)
        return text

    header = fill(spec["header"]) if spec.get("header") is not None else json.dumps(
        {"alg": alg, "typ": "JWT"}, separators=(",", ":"))
    payload = fill(spec["payload"])
    header_bytes = header.encode(spec.get("headerEncoding") or "utf-8", "surrogatepass")
    # "<codec>|<hex>": the encoded payload with these bytes appended ("<codec>|-": the last byte cut).
    codec, _, tail = (spec.get("encoding") or "utf-8").partition("|")
    payload_bytes = payload.encode(codec, "surrogatepass")
    payload_bytes = payload_bytes[:-1] if tail == "-" else payload_bytes + bytes.fromhex(tail)
    signing_input = (_seg(header_bytes) + "." + _seg(payload_bytes)).encode("ascii")
    sign = spec.get("sign") or alg
    if sign == "none":
        signature = b""
    else:
        algo = get_default_algorithms()[sign]
        signature = algo.sign(signing_input, algo.prepare_key(key))
    h, p = signing_input.decode().split(".")
    s = _seg(signature)
    for m in spec.get("mangle") or ():
        if m == "pad":  # each segment padded to a multiple of 4 with '='
            h, p, s = (x + "=" * (-len(x) % 4) for x in (h, p, s))
        elif m == "overpad":  # a '=' too many on the signature
            s = s + "=" * (-len(s) % 4) + "="
        elif m == "stdalphabet":  # '+' and '/' instead of '-' and '_'
            h, p, s = (x.replace("-", "+").replace("_", "/") for x in (h, p, s))
        elif m == "sigjunk":  # a character outside the alphabet at the end of the signature
            s = s + "!"
        elif m == "sigdot":  # a fourth segment
            s = s + ".x"
        elif m == "sigtrunc":
            s = s[:-1]
        elif m == "sigextra":  # one more alphabet character
            s = s + "A"
        elif m == "emptysig":
            s = ""
        elif m == "payloadjunk":
            p = p + "*"
        else:
            raise ValueError(m)
    return f"{h}.{p}.{s}"
