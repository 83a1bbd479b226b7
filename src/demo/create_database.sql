-- Creates the database the demo loads.
CREATE DATABASE trading
