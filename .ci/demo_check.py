"""CI, after `./dev up`: the demo city runs as in production. Signs in as the demo enterprise, submits an
appeal through the API, then signs in as the head of the department it was routed to (市工信局,
`handler`) and waits for the in-app notification the worker delivers — within the worker's idle
interval and a margin, or fails.

    .venv/bin/python .ci/demo_check.py http://127.0.0.1:8000 --within 10
"""

import argparse
import http.cookiejar
import json
import re
import sys
import time
import urllib.parse
import urllib.request

PASSWORD = "zhuqi-demo-2026"


class Client:
    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def request(self, method: str, path: str, data=None, form=False):
        headers = {"Referer": self.base + "/login/"}
        body = None
        if data is not None:
            headers["X-CSRFToken"] = self.csrf()
            if form:
                body = urllib.parse.urlencode(data).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            else:
                body = json.dumps(data).encode()
                headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data=body, method=method, headers=headers)
        with self.opener.open(request, timeout=30) as answer:
            return answer.status, answer.read().decode()

    def sign_in(self, username: str) -> None:
        _, page = self.request("GET", "/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        self.request(
            "POST",
            "/login/",
            {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
            form=True,
        )
        status, _ = self.request("GET", "/api/v1/notifications")
        assert status == 200, f"{username} could not sign in"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("--within", type=float, default=10.0, help="seconds the notification may take")
    args = parser.parse_args()

    enterprise = Client(args.base)
    enterprise.sign_in("enterprise")
    _, body = enterprise.request("GET", "/api/v1/enterprises")
    uscc = json.loads(body)["items"][0]["uscc"]
    status, body = enterprise.request(
        "POST",
        "/api/v1/appeals",
        {
            "enterprise_uscc": uscc,
            "title": "CI：国内展会摊位补贴咨询",
            "description": "CI 检查通知送达。",
            "category_code": "market.domestic",
        },
    )
    appeal = json.loads(body)
    assert status == 201 and appeal["department_code"] == "miit", body
    submitted = time.monotonic()

    handler = Client(args.base)
    handler.sign_in("handler")
    while time.monotonic() - submitted < args.within:
        _, body = handler.request("GET", "/api/v1/notifications?unread=true")
        if any(appeal["number"] in n["subject"] + n["body"] + n["link"] for n in json.loads(body)["items"]):
            print(f"appeal {appeal['number']}: handler notified in {time.monotonic() - submitted:.1f} s")
            return 0
        time.sleep(0.5)
    print(f"appeal {appeal['number']}: no notification for handler within {args.within} s", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
