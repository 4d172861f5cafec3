-- first version: a table and an index
CREATE TABLE greeting (id INT NOT NULL PRIMARY KEY, text VARCHAR(100) NOT NULL);
CREATE INDEX greeting_text ON greeting (text);
