"""The Slack surface (Bolt, socket mode): arrives with the Slack bot issue."""
