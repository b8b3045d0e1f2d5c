-- The credentials removed by V060 are not kept anywhere: nothing to restore.
SELECT 1;
