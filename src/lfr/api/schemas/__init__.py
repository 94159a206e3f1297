"""Request (``...Create``, ``...Request``) and response (``...Public``) models, one module per
resource. Requests refuse unknown fields; responses say only what the role may see."""
