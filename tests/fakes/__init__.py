"""Local fakes of the services Sophia talks to, for tests that run the real clients."""
