"""Customer service (seed chapter 8): FAQ, contact channels, tickets and live chat."""
