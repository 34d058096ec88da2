"""The seed catalog, shipped inside the installed bot as the `ostbot_data` package."""
