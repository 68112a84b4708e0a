"""Gradio face of Counterpoint: create_app(service) builds the page; server.launch() serves it."""
