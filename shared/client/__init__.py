"""The queue over HTTP as a client sees it: RemoteQueue and the followed event stream."""
