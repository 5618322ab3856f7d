"""The commands the ledger takes, as typed values, and their catalogue.

`catalogue` lists them; `fields` describes their fields for the API and the screens; `base`
says what every command declares; one module per part of the policy holds its commands.
"""
