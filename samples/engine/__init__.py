"""The engine that turns the story (samples/story/) into the demo corpus: see samples/README.md.

story.py loads the data; assemble.py builds each call from beats (beats/ and script.py);
gong_json.py and truth.py render Gong's JSON and expected.json; write.py writes the files;
checks.py re-reads them and checks the corpus keeps its promises.
"""
