"""ExplorIA en ligne: the LaborIA card game and AI risk self-diagnosis, played online."""
