"""The web app: JSON API, agent UI, live updates."""
