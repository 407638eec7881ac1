"""The households app's forms, one module per area as its views and services are: typed input only."""
