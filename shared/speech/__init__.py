"""Speech as WAV files, shared by the board's announcements and the kiosk's audio guidance:
engines (espeak-ng through pyttsx3 or its program), the engine-owning worker, WAV helpers,
numbers and letters as spoken, and the Qt-free audio sinks."""
