"""Request and response models of the HTTP API: the contract /openapi.json publishes."""
