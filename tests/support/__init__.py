"""What the tests share: the factory, the login and API client, the live server, the HTML reader."""
