CREATE TABLE nonsense (id NOT_A_TYPE);
