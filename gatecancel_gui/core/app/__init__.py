"""What the front ends call: the session on an account and the services (load, cancel, cancel a scope,
arm a switch) that the window and the command line only wire and present."""
