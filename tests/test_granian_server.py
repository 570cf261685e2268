"""imtkg.web.granian: the WSGI wrapper that hands granian whole bodies."""

from __future__ import annotations

from imtkg.web.granian import whole_bodies


class Body:
    """A body iterable that records whether it was closed."""

    def __init__(self, parts: list[bytes]) -> None:
        self.parts, self.closed = parts, False

    def __iter__(self):
        return iter(self.parts)

    def close(self) -> None:
        self.closed = True


def app_answering(body, headers):
    def app(environ, start_response):
        start_response("200 OK", headers)
        return body

    return app


def run(app):
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"] = status

    return app({}, start_response), seen


def test_a_small_body_of_known_length_is_joined_and_closed():
    body = Body([b"ab", b"cd"])
    result, seen = run(whole_bodies(app_answering(body, [("Content-Length", "4")])))
    assert result == [b"abcd"] and body.closed and seen["status"] == "200 OK"


def test_lists_streams_and_large_bodies_pass_through():
    as_list = [b"abcd"]
    result, _ = run(whole_bodies(app_answering(as_list, [("Content-Length", "4")])))
    assert result is as_list
    stream = Body([b"x"] * 3)  # no Content-Length: a stream (the dumps)
    result, _ = run(whole_bodies(app_answering(stream, [("Content-Type", "text/plain")])))
    assert result is stream and not stream.closed
    large = Body([b"y" * 10])
    result, _ = run(whole_bodies(app_answering(large, [("Content-Length", "10")]), limit=5))
    assert result is large and not large.closed
