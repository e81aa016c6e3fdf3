"""Red packets (红包): send (a hold on the sender's wallet), claim (one share each), expiry."""
