"""The Slack surface: Bolt in Socket Mode, /gong commands, mentions and DMs, Block Kit
rendering and the scheduled jobs. Thin: it parses, asks core through a `Session`, renders.

`slack_bot` builds and connects the Bolt app; `commands` parses /gong (and holds the help table);
`listeners/` handle each kind of Slack request; `answers` runs a command through a session;
`blocks` renders and splits within Slack's limits; `guard` and `threads` check and read what
a request needs; `scheduler` runs the sync, the weekly brief and the purge; `messages` holds
every sentence the bot says.
"""
