"""The web server's edges: middleware (security headers, body limits, request ids), cookies,
multipart parsing, and the error shapes and their documentation."""
