check unknown_name.jx
