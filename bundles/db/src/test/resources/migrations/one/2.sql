ALTER TABLE greeting ADD COLUMN lang VARCHAR(8);
INSERT INTO greeting (id, text, lang)
  VALUES (1, 'hello; world', 'en');
