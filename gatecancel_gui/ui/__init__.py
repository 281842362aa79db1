"""The Qt front end: the window, the orders table model, workers, dialogs and theme."""
