-- 0006_assistant (down)
SET ROLE app_owner;
DROP TABLE app.saved_charts;
DROP TABLE app.conversation_messages;
DROP TABLE app.conversations;
RESET ROLE;
